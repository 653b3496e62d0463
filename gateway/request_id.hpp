// Request ids in the form OpenStack uses: "req-<uuid4>".
#pragma once

#include <string>

namespace sgw {

/// A fresh "req-xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"; per-thread generator, no locks.
std::string make_request_id();

}  // namespace sgw
