// One loaded configuration and what is built from it once for the whole process: the backend,
// the upstream endpoints with their TLS contexts, and the AK/SK signer. SIGHUP builds a new
// generation; each worker then serves new requests with it, while the requests that began
// under the old one finish with it (gateway/listener.cpp).
#pragma once

#include "gateway/config.hpp"
#include "gateway/credentials.hpp"
#include "gateway/upstream/pools.hpp"
#include "gateway/upstream/signer.hpp"
#include "translators/registry.hpp"

#include <memory>
#include <string>
#include <vector>

namespace sgw {

struct generation {
    config cfg;
    const translators::backend* backend = nullptr;
    upstream::endpoint_set endpoints;
    std::shared_ptr<credentials_holder> credentials;    ///< auth.mode aksk only
    std::unique_ptr<upstream::request_signer> signer;  ///< auth.mode aksk only

    /// Builds everything `cfg` needs; throws std::invalid_argument or
    /// boost::system::system_error with the reason (an unknown backend, unreadable keys or
    /// TLS files), which never quotes a secret.
    static std::shared_ptr<const generation> make(config cfg);
};

/// The keys a running process cannot change without a restart (its sockets, its threads, its
/// job memory), for the reload's warning: each key whose value differs between `a` and `b`.
std::vector<std::string> restart_only_changes(const config& a, const config& b);

/// `next` with every restart-only key set back to `running`'s value.
config keep_restart_only(const config& running, config next);

}  // namespace sgw
