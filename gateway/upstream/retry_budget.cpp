// The retry budget of one upstream endpoint.
#include "gateway/upstream/retry_budget.hpp"

#include <algorithm>

namespace sgw::upstream {

bool retry_budget::try_spend(clock::time_point now) noexcept {
    const auto seconds = static_cast<std::size_t>(std::max<long long>(1, s_.window.count() / 1000));
    const std::size_t allowed = s_.min_per_second * seconds + window_.first(now) * s_.percent / 100;
    if (window_.second(now) >= allowed) {
        ++refused_;
        return false;
    }
    window_.add(now, 0, 1);
    return true;
}

}  // namespace sgw::upstream
