// The backend registry. A new backend is a folder of translators, its CMake sources, its
// fixtures and one line here.
#include "translators/registry.hpp"

#include "translators/mrs_v1_1/backend.hpp"
#include "translators/mrs_v2/backend.hpp"

namespace sgw::translators {

std::span<const backend> backends() noexcept {
    static const backend table[] = {
        mrs_v1_1::definition(),
        mrs_v2::definition(),
    };
    return table;
}

const backend* find_backend(std::string_view name) noexcept {
    for (const auto& b : backends())
        if (b.name == name) return &b;
    return nullptr;
}

}  // namespace sgw::translators
