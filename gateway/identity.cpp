// The project of a token, asked of a Keystone v3 endpoint and cached.
#include "gateway/identity.hpp"

#include "gateway/executor.hpp"
#include "gateway/log.hpp"
#include "gateway/metrics.hpp"
#include "translators/common/fault.hpp"
#include "translators/common/timefmt.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <openssl/evp.h>

#include <chrono>

namespace sgw {
namespace net = boost::asio;
namespace http = boost::beast::http;

namespace {

std::string sha256(std::string_view text) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr);
    return std::string(reinterpret_cast<const char*>(digest), len);
}

std::string refusal_key(std::string_view token, std::string_view project) {
    auto key = sha256(token);
    key += project;
    return key;
}

// Keeps a per-worker cache within its bound: expired entries go first, then everything.
template <class Map, class Expiry>
void make_room(Map& m, std::size_t max, upstream::clock::time_point now, Expiry until) {
    if (m.size() < max) return;
    std::erase_if(m, [&](auto& kv) { return until(kv.second) <= now; });
    if (m.size() >= max) m.clear();
}

}  // namespace

std::optional<token_info> parse_token_body(std::string_view body) {
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    if (ec || !v.is_object()) return std::nullopt;
    auto* token = v.get_object().if_contains("token");
    if (!token || !token->is_object()) return std::nullopt;
    auto* project = token->get_object().if_contains("project");
    if (!project || !project->is_object()) return std::nullopt;
    auto* id = project->get_object().if_contains("id");
    if (!id || !id->is_string() || id->get_string().empty()) return std::nullopt;
    token_info out{std::string(id->get_string()), std::nullopt};
    if (auto* exp = token->get_object().if_contains("expires_at"); exp && exp->is_string())
        out.expires_at = timefmt::epoch_seconds(exp->get_string());
    return out;
}

identity::identity(net::any_io_executor ex, const config& cfg, const upstream::endpoint_set& endpoints,
                   worker_metrics* metrics)
    : cfg_(cfg), ex_(ex), metrics_(metrics), regions_(cfg.regions) {
    for (std::size_t i = 0; i < endpoints.settings.size(); ++i) {
        const auto& text = endpoints.identity_urls[i];
        auto url = upstream::parse_base_url(text);
        if (text.empty() || !url)
            pools_.push_back(nullptr);
        else
            pools_.push_back(std::make_unique<upstream::pool>(
                ex, endpoints.settings[i], *url, endpoints.tls[i],
                metrics ? metrics->pool_stats_for(url->host_header) : nullptr));
    }
}

bool identity::refused_lately(std::string_view token, std::string_view project, upstream::clock::time_point now) {
    if (refused_.empty()) return false;  // the common case costs no hashing
    auto it = refused_.find(refusal_key(token, project));
    if (it == refused_.end()) return false;
    if (it->second > now) return true;
    refused_.erase(it);
    return false;
}

void identity::remember_refused(std::string_view token, std::string_view project, upstream::clock::time_point now) {
    if (cfg_.identity.max_refused == 0) return;
    make_room(refused_, cfg_.identity.max_refused, now, [](auto until) { return until; });
    refused_[refusal_key(token, project)] = now + cfg_.identity.refused_ttl;
}

void identity::close() {
    for (auto& p : pools_)
        if (p) p->close();
}

net::awaitable<boost::system::result<std::string, std::error_code>> identity::project_of(
    std::string_view token, upstream::clock::time_point deadline, std::string_view project) {
    using result = boost::system::result<std::string, std::error_code>;
    if (!cfg_.identity.project.empty()) co_return result(cfg_.identity.project);
    auto* pool = pools_[project.empty() ? 0 : regions_.of(project)].get();
    if (!pool) pool = pools_[0].get();
    if (!pool) co_return result(boost::system::in_place_error, make_error_code(fault::no_project_source));

    const auto now = upstream::clock::now();
    const auto key = sha256(token);
    if (auto it = cache_.find(key); it != cache_.end()) {
        if (it->second.until > now) {
            if (metrics_) ++metrics_->identity()->hits;
            co_return result(it->second.project);
        }
        cache_.erase(it);
    }
    if (metrics_) ++metrics_->identity()->misses;
    if (refused_lately(token, {}, now))
        co_return result(boost::system::in_place_error, make_error_code(fault::token_refused_lately));

    // Single flight: while one request asks about a token, the others with the same token
    // wait for its answer instead of asking too.
    if (auto it = flights_.find(key); it != flights_.end()) {
        auto f = it->second;
        co_await f->done.async_wait(net::as_tuple(net::use_awaitable));
        if (f->outcome) co_return *f->outcome;
        // The request that asked ended without an answer (cancelled): ask again below.
    }
    auto f = std::make_shared<flight>(ex_);
    f->done.expires_at(upstream::clock::time_point::max());
    flights_[key] = f;
    struct land {
        identity& self;
        const std::string& key;
        std::shared_ptr<flight> f;
        ~land() {
            if (auto it = self.flights_.find(key); it != self.flights_.end() && it->second == f) self.flights_.erase(it);
            f->done.cancel();
        }
    } landing{*this, key, f};
    f->outcome = co_await ask(*pool, token, key, deadline);
    co_return *f->outcome;
}

net::awaitable<boost::system::result<std::string, std::error_code>> identity::ask(upstream::pool& pool,
                                                                                 std::string_view token,
                                                                                 const std::string& key,
                                                                                 upstream::clock::time_point deadline) {
    using result = boost::system::result<std::string, std::error_code>;
    const auto now = upstream::clock::now();
    auto fail = [](fault f) { return result(boost::system::in_place_error, make_error_code(f)); };
    translators::upstream_call call{translators::method::get, "/auth/tokens", {}, true};
    auto req = make_upstream_request(call, token);
    req.set("X-Subject-Token", token);
    auto reply = co_await pool.exchange(std::move(req), true, deadline);
    if (metrics_)
        metrics_->upstream_call(pool.host(), "GET /auth/tokens", metrics::result_of(reply),
                                std::chrono::duration_cast<std::chrono::microseconds>(upstream::clock::now() - now));
    if (reply.outcome != translators::transport::ok) {
        // The fault says "unavailable"; the log says why (never the token).
        log::line(log::level::warn, "identity endpoint unreachable").kv("detail", reply.detail);
        co_return fail(fault::identity_unavailable);
    }
    // keystonemiddleware: a token Keystone does not accept is 401; any other failure 503.
    if (reply.status == 401 || reply.status == 403 || reply.status == 404) {
        remember_refused(token, {}, upstream::clock::now());
        co_return fail(fault::token_refused);
    }
    if (reply.status != 200) {
        log::line(log::level::warn, "identity endpoint failed").kv("status", reply.status);
        co_return fail(fault::identity_unavailable);
    }
    auto info = parse_token_body(reply.body);
    if (!info) co_return fail(fault::identity_bad_answer);

    // Trust the answer until the token expires, and never longer than the configured TTL.
    auto until = upstream::clock::now() + cfg_.identity.cache_ttl;
    if (info->expires_at) {
        const auto wall_now = std::chrono::duration_cast<std::chrono::seconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
        const auto left = std::chrono::seconds(*info->expires_at - wall_now);
        if (left <= std::chrono::seconds(0)) co_return fail(fault::token_expired);
        until = std::min(until, upstream::clock::now() + left);
    }
    make_room(cache_, cfg_.identity.max_cached, now, [](const entry& e) { return e.until; });
    cache_[key] = entry{info->project, until};
    co_return result(std::move(info->project));
}

}  // namespace sgw
