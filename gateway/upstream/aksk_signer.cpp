// The AK/SK request signer the pool calls.
#include "gateway/upstream/aksk_signer.hpp"

#include <chrono>
#include <utility>

namespace sgw::upstream {

aksk_signer::aksk_signer(std::shared_ptr<const credentials_holder> keys) : keys_(std::move(keys)) {}

void aksk_signer::sign(request& req) {
    // One snapshot for the whole request: a reload meanwhile cannot mix two sets.
    const auto keys = keys_->current();
    aksk::sign_request(req, *keys, std::chrono::system_clock::now());
}

}  // namespace sgw::upstream
