// The upstream pools of one worker thread, and the choice of pool for a request's project.
#pragma once

#include "gateway/config.hpp"
#include "gateway/upstream/pool.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string_view>

namespace sgw::upstream {

class pools {
public:
    /// `tls` must outlive the pools and be set when the upstream URL is https. Throws
    /// std::invalid_argument when the URL does not parse (config validation catches it first).
    /// `signer`, when set, signs every call of every pool (auth.mode aksk) and must outlive them.
    pools(boost::asio::any_io_executor ex, const upstream_config& cfg, boost::asio::ssl::context* tls,
          request_signer* signer = nullptr);

    /// The pool that serves `project`. One endpoint today; per-project (regional) endpoints
    /// will choose here.
    pool& select(std::string_view project);

    /// Closes every pool (shutdown).
    void close();

private:
    std::unique_ptr<pool> default_;
};

}  // namespace sgw::upstream
