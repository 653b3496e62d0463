// The descriptor limit and the connection limit derived from it.
#include "gateway/connection_limit.hpp"

#include <algorithm>

#include <sys/resource.h>

namespace sgw {

std::size_t raise_descriptor_limit() noexcept {
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 1024;
    const rlim_t target = lim.rlim_max == RLIM_INFINITY ? rlim_t{1} << 20 : lim.rlim_max;
    if (lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur < target) {
        rlimit want = lim;
        want.rlim_cur = target;
        if (::setrlimit(RLIMIT_NOFILE, &want) == 0) lim = want;
    }
    return lim.rlim_cur == RLIM_INFINITY ? std::size_t{1} << 20 : static_cast<std::size_t>(lim.rlim_cur);
}

std::size_t default_max_connections(std::size_t descriptors) noexcept {
    constexpr std::size_t reserve = 64;  // standard streams, listening sockets, event loops, files
    constexpr std::size_t floor = 16;
    if (descriptors <= reserve + floor) return floor;
    return std::max(floor, (descriptors - reserve) / 4 * 3);
}

}  // namespace sgw
