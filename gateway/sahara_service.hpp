// The Sahara service: the one place in gateway/ that calls the Sahara layer. For each request
// it routes, negotiates the version, authenticates, resolves the project, picks the backend's
// step function and the project's pool, runs the translator, applies its effects to the job
// memory, and ends in one request_done record.
#pragma once

#include "gateway/config.hpp"
#include "gateway/http_session.hpp"
#include "gateway/identity.hpp"
#include "gateway/job_memory.hpp"
#include "gateway/request_done.hpp"
#include "gateway/upstream/pools.hpp"
#include "translators/registry.hpp"
#include "translators/sahara/router.hpp"

namespace sgw {

class access_log;
class worker_metrics;

/// Where every request's record goes besides the error log; each may be null.
struct request_sinks {
    worker_metrics* metrics = nullptr;
    access_log* access = nullptr;
};

class sahara_service final : public http_handler {
public:
    /// Everything given must outlive the service; one service per worker thread and generation.
    sahara_service(const config& cfg, const translators::backend& backend, upstream::pools& pools, identity& who,
                   job_memory& memory, request_sinks sinks = {});

    boost::asio::awaitable<http_response> handle(http_request& req) override;
    http_response reject(fault why, std::string_view reason) override;
    /// The 503 for a connection beyond server.max_connections (not logged: the listener logs
    /// such refusals in aggregate).
    http_response turn_away();

private:
    struct call;
    boost::asio::awaitable<sahara::response> serve(http_request& req, sahara::route_match& m, call& c);
    void done(const request_done& r);

    const config& cfg_;
    const bool signing_;  ///< auth.mode aksk: MRS calls are signed, client tokens checked here
    const translators::backend& backend_;
    upstream::pools& pools_;
    identity& identity_;
    job_memory& memory_;
    request_sinks sinks_;
};

}  // namespace sgw
