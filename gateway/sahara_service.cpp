// The Sahara service.
#include "gateway/sahara_service.hpp"

#include "gateway/access_log.hpp"
#include "gateway/executor.hpp"
#include "gateway/log.hpp"
#include "gateway/metrics.hpp"
#include "gateway/origin.hpp"
#include "gateway/request_done.hpp"
#include "gateway/request_id.hpp"
#include "gateway/store/shared_memory.hpp"
#include "translators/sahara/errors.hpp"
#include "translators/sahara/faults.hpp"
#include "translators/sahara/router.hpp"
#include "translators/sahara/versions.hpp"

#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <optional>

namespace sgw {
namespace http = boost::beast::http;
namespace net = boost::asio;
using clock = upstream::clock;

namespace {

http_response make_response(unsigned status, std::string body, std::string_view request_id, unsigned version) {
    http_response res{static_cast<http::status>(status), version};
    res.set(http::field::content_type, "application/json");
    res.set("x-openstack-request-id", request_id);
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

// Keystone and IAM tokens are printable ASCII without spaces; anything else is refused here
// instead of costing an identity or MRS call.
bool plausible_token(std::string_view token) {
    return std::all_of(token.begin(), token.end(), [](char ch) { return ch > ' ' && ch < 0x7f; });
}

std::string what(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        return ex.what();
    } catch (...) {
        return "unknown exception";
    }
}

std::chrono::microseconds since(clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - t);
}

}  // namespace

/// One request's way through the service.
struct sahara_service::call {
    std::string request_id = make_request_id();
    /// The client's X-Openstack-Request-Id when it is a valid id: logged next to ours, and sent
    /// to MRS in place of ours, so that one id links the client, this gateway and MRS.
    std::string global_id;
    std::string project;
    clock::time_point started = clock::now();
    request_done record;
    std::optional<std::string> v2_echo;  ///< the OpenStack-API-Version to answer (v2 routes)
    /// The id MRS hears.
    std::string_view upstream_id() const noexcept { return global_id.empty() ? request_id : global_id; }
};

sahara_service::sahara_service(const config& cfg, const translators::backend& backend, upstream::pools& pools,
                               identity& who, job_memory& memory, request_sinks sinks)
    : cfg_(cfg),
      signing_(cfg.auth.mode == "aksk"),
      backend_(backend),
      pools_(pools),
      identity_(who),
      memory_(memory),
      sinks_(sinks) {}

void sahara_service::done(const request_done& r) {
    log_request_done(r);
    if (sinks_.metrics) sinks_.metrics->request(r);
    if (sinks_.access) sinks_.access->write(r);
}

http_response sahara_service::reject(fault why, std::string_view reason) {
    const auto rid = make_request_id();
    auto out = sahara::fault_response(why, rid, std::string(reason));
    log::line(log::level::warn, "refused request")
        .kv("rid", rid)
        .kv("status", out.status)
        .kv("error", reason);
    request_done r;
    r.request_id = rid;
    r.operation = "-";
    r.status = out.status;
    r.refused = true;
    r.response_bytes = out.body.size();
    r.detail = reason;
    if (sinks_.metrics) sinks_.metrics->request(r);
    if (sinks_.access) sinks_.access->write(r);
    return make_response(out.status, std::move(out.body), rid, 11);
}

http_response sahara_service::turn_away() {
    const auto rid = make_request_id();
    auto out = sahara::fault_response(fault::too_many_connections, rid);
    auto res = make_response(out.status, std::move(out.body), rid, 11);
    res.set(http::field::retry_after, "1");
    res.keep_alive(false);
    return res;
}

net::awaitable<http_response> sahara_service::handle(http_request& req) {
    call c;
    if (const auto given = req["X-Openstack-Request-Id"]; valid_request_id(given)) c.global_id = std::string(given);
    c.record.request_id = c.request_id;
    c.record.global_request_id = c.global_id;
    c.record.request_bytes = req.body().size();
    c.record.method = req.method_string();
    c.record.path = req.target().substr(0, req.target().find('?'));
    c.record.operation = "-";
    sahara::response out;
    auto routed = sahara::route(req.method_string(), req.target());
    if (auto* err = std::get_if<sahara::route_error>(&routed)) {
        out = err->why == fault::read_only ? sahara::read_only_response(err->attempt, c.request_id)
                                           : sahara::fault_response(err->why, c.request_id);
    } else if (std::holds_alternative<sahara::route_versions>(routed)) {
        c.record.operation = "versions";
        const auto o = request_origin(req, cfg_.listen.trust_forwarded);
        out = {300, sahara::versions_body(o.scheme, o.host), {}};
    } else {
        std::exception_ptr failed;
        try {
            out = co_await serve(req, std::get<sahara::route_match>(routed), c);
        } catch (...) {
            failed = std::current_exception();
        }
        if (failed) {
            const auto cs = co_await net::this_coro::cancellation_state;
            if (cs.cancelled() != net::cancellation_type::none) {
                // The listener's drain deadline cancelled the request: no answer goes out.
                c.record.detail = "cancelled at the drain deadline; no answer sent";
                c.record.total_time = since(c.started);
                c.record.project = c.project;
                done(c.record);
                std::rethrow_exception(failed);
            }
            // The request's last resort: a bug must cost one answer, not the process.
            out = sahara::fault_response(fault::internal_error, c.request_id, "exception: " + what(failed));
            log::line(log::level::error, "request failed with an exception")
                .kv("rid", c.request_id)
                .kv("error", out.log_detail);
        }
    }
    auto res = make_response(out.status, std::move(out.body), c.request_id, req.version());
    if (out.retry_after) res.set(http::field::retry_after, std::to_string(out.retry_after));
    if (c.v2_echo) {
        res.set("OpenStack-API-Version", "data-processing " + *c.v2_echo);
        res.set(http::field::vary, "OpenStack-API-Version");
    }
    c.record.status = out.status;
    c.record.response_bytes = res.body().size();
    c.record.detail = out.log_detail;
    c.record.total_time = since(c.started);
    c.record.project = c.project;
    done(c.record);
    co_return res;
}

net::awaitable<sahara::response> sahara_service::serve(http_request& req, sahara::route_match& m, call& c) {
    c.record.operation = sahara::to_string(m.op);
    c.record.version = sahara::to_string(m.version);
    sahara::request sreq;
    sreq.op = m.op;
    sreq.version = m.version;
    sreq.project_id = std::move(m.project_id);
    c.project = sreq.project_id;
    sreq.id = std::move(m.id);
    sreq.request_id = c.request_id;
    sreq.query = std::move(m.query);
    if (m.version == sahara::api_version::v2) {
        auto v = sahara::negotiate_v2(req["OpenStack-API-Version"]);
        c.v2_echo = std::move(v.echo);
        if (v.error) co_return std::move(*v.error);
    }
    sreq.body = std::move(req.body());
    sreq.content_type = std::string(req[http::field::content_type]);

    const auto token = req["X-Auth-Token"];
    if (token.empty()) co_return sahara::fault_response(fault::token_missing, c.request_id);
    if (!plausible_token(token)) co_return sahara::fault_response(fault::token_refused, c.request_id, "token not printable ASCII");
    const auto deadline = c.started + cfg_.upstream.request_timeout;
    // With the gateway's own keys (aksk), MRS no longer checks the client: every token is
    // validated here, and only for the project it is scoped to.
    if (sreq.project_id.empty() || signing_) {
        if (!identity_.configured()) co_return sahara::fault_response(fault::no_project_source, c.request_id);
        auto project = co_await identity_.project_of(token, deadline, sreq.project_id);
        if (!project) co_return sahara::fault_response(project.error(), c.request_id);
        if (sreq.project_id.empty())
            sreq.project_id = std::move(*project);
        else if (sreq.project_id != *project)
            co_return sahara::fault_response(fault::token_other_project, c.request_id);
    }

    c.project = sreq.project_id;
    // What this gateway remembers that MRS does not show; the Sahara layer decides what it means.
    const auto now = clock::now();
    if (identity_.refused_lately(token, sreq.project_id, now))
        co_return sahara::fault_response(fault::token_refused_lately, c.request_id);
    const bool clusters = backend_.uses_job_clusters && !sreq.id.empty() && sreq.op != sahara::operation::execute;
    if (!sahara::about_jobs(sreq.op)) {
        // Clusters, templates and data sources: nothing the job memory knows applies.
    } else if (sinks_.shared) {
        auto r = co_await sinks_.shared->recall(sreq.project_id, sreq.id, clusters, deadline);
        sreq.being_killed = std::move(r.being_killed);
        sreq.deleted_lately = r.deleted_lately;
        sreq.unknown_lately = r.unknown_lately;
        sreq.job_cluster = std::move(r.cluster).value_or("");
    } else {
        sreq.being_killed = memory_.being_killed(sreq.project_id, now);
        sreq.deleted_lately = memory_.deleted_lately(sreq.project_id, sreq.id, now);
        if (clusters) {
            sreq.unknown_lately = memory_.unknown_lately(sreq.project_id, sreq.id, now);
            if (!sreq.unknown_lately)
                sreq.job_cluster = memory_.cluster_of(sreq.project_id, sreq.id, now).value_or("");
        }
    }
    sreq.cancel_wait = cfg_.upstream.cancel_wait;
    sreq.fallback_templates = cfg_.job_templates;

    translators::step_context ctx;
    pool_port port(pools_.select(sreq.project_id), signing_ ? std::string_view() : std::string_view(token), sreq.project_id,
                   c.upstream_id(), sinks_.metrics);
    const auto upstream_started = clock::now();
    auto run = co_await execute(backend_.step_for(sreq.op), sreq, ctx, port, cfg_.upstream.max_parallel, deadline);
    c.record.upstream_calls = run.upstream_calls;
    c.record.upstream_time = since(upstream_started);
    if (sinks_.shared) {
        sinks_.shared->record(sreq.project_id, ctx.effects());
        // What a cancel or a delete did must be in the store before the client hears of it: its
        // next call may reach another replica. Cluster facts can follow at their own pace.
        const auto effects = ctx.effects();
        if (std::any_of(effects.begin(), effects.end(), [](const translators::effect& e) {
                return e.what == translators::effect::kind::killing || e.what == translators::effect::kind::deleted;
            }))
            co_await sinks_.shared->settled(deadline);
    } else
        memory_.apply(sreq.project_id, ctx.effects(), clock::now());
    // MRS answers 401 only when it refuses the credentials (mrs_errors.cpp, classify): the
    // client's token, or with aksk the gateway's own signature, which is no fault of the client.
    if (run.response && run.response->status == 401) {
        if (signing_) {
            log::line(log::level::error, "MRS refused the gateway's signature; check auth.credentials_file and the clock")
                .kv("rid", c.request_id)
                .kv("error", run.response->log_detail);
            co_return sahara::error_response(sreq, 502, sahara::error_name::bad_gateway,
                                             "MRS refused the gateway's credentials.", run.response->log_detail);
        }
        identity_.remember_refused(token, sreq.project_id, clock::now());
    }
    if (run.response) co_return std::move(*run.response);
    co_return sahara::fault_response(run.fault, c.request_id, run.detail);
}

}  // namespace sgw
