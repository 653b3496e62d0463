// Names of Sahara operations, for logs and metrics.
#include "translators/sahara/model.hpp"

namespace sgw::sahara {

std::string_view to_string(operation op) noexcept {
    switch (op) {
        case operation::cancel: return "cancel";
    }
    return "unknown";
}

}  // namespace sgw::sahara
