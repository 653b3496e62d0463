// The "gateway" error category.
#include "translators/common/fault.hpp"

#include <string>

namespace sgw {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "gateway"; }
    std::string message(int value) const override {
        switch (static_cast<fault>(value)) {
            case fault::request_malformed: return "malformed request";
            case fault::request_body_too_large: return "request body too large";
            case fault::request_header_too_large: return "request header too large";
            case fault::request_length_required: return "chunked request body refused";
            case fault::request_transfer_coding: return "transfer coding refused";
            case fault::too_many_connections: return "connection limit reached";
            case fault::token_refused_lately: return "token refused moments ago";
            case fault::internal_error: return "internal error";
            case fault::no_route: return "no route for the target";
            case fault::method_not_allowed: return "method not allowed on the path";
            case fault::read_only: return "a write to a read-only resource";
            case fault::bad_target: return "request target is not a valid URL path";
            case fault::token_missing: return "no X-Auth-Token";
            case fault::token_refused: return "identity endpoint refused the token";
            case fault::token_expired: return "token expired";
            case fault::token_other_project: return "token scoped to another project than the URL's";
            case fault::identity_unavailable: return "identity endpoint unavailable";
            case fault::identity_bad_answer: return "identity endpoint answer has no token project";
            case fault::no_project_source: return "no project in the URL and no identity.url or identity.project";
            case fault::step_limit: return "translator made no answer within the step limit";
            case fault::no_answer: return "translator returned neither calls nor an answer";
        }
        return "unknown gateway fault";
    }
};

}  // namespace

const std::error_category& fault_category() noexcept {
    static const category c;
    return c;
}

}  // namespace sgw
