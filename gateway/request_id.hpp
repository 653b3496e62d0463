// Request ids in the form OpenStack uses: "req-<uuid4>".
#pragma once

#include <string>
#include <string_view>

namespace sgw {

/// A fresh "req-xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"; per-thread generator, no locks.
std::string make_request_id();

/// Whether `id` is a request id another OpenStack service could have made: "req-" and a UUID
/// in lower- or upper-case hex (oslo.middleware's check). Anything else a client sends in
/// X-Openstack-Request-Id is ignored, so that logs and MRS never see text a client chose.
bool valid_request_id(std::string_view id) noexcept;

}  // namespace sgw
