// The AK/SK request signer the pool calls (signer.hpp): mrs-api.md §6.2 with the keys of a
// shared credentials holder and the wall clock.
#pragma once

#include "gateway/credentials.hpp"
#include "gateway/upstream/signer.hpp"

#include <memory>

namespace sgw::upstream {

/// Signs with the holder's current keys, as of `system_clock::now()` (APIG refuses an
/// `X-Sdk-Date` more than 15 minutes off, mrs-api.md §5.1(3)). Any number of threads may call
/// `sign` at once, also while the holder reloads.
class aksk_signer final : public request_signer {
public:
    explicit aksk_signer(std::shared_ptr<const credentials_holder> keys);
    void sign(request& req) override;

private:
    std::shared_ptr<const credentials_holder> keys_;
};

}  // namespace sgw::upstream
