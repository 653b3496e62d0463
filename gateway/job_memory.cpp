// What this gateway did lately that MRS does not show.
#include "gateway/job_memory.hpp"

#include "translators/sahara/memory.hpp"

namespace sgw {
using translators::effect;

job_memory::limits job_memory::default_limits() {
    return {sahara::killing_memory, sahara::deleted_memory, std::chrono::hours(1), 8192, std::chrono::seconds(60)};
}

job_memory::job_memory(limits l)
    : limits_(l),
      killing_(l.killing_ttl, l.max_entries),
      deleted_(l.deleted_ttl, l.max_entries),
      clusters_(l.cluster_ttl, l.max_entries),
      unknown_(l.unknown_ttl, l.max_entries) {}

void job_memory::apply(std::string_view project, std::span<const effect> effects, clock::time_point now) {
    for (const auto& e : effects) {
        switch (e.what) {
            case effect::kind::killing: killing_.put(project, e.job_id, {}, now, true); break;
            case effect::kind::not_killing: killing_.erase(project, e.job_id); break;
            case effect::kind::deleted:
                deleted_.put(project, e.job_id, {}, now);
                killing_.erase(project, e.job_id);
                clusters_.erase(project, e.job_id);
                break;
            case effect::kind::cluster:
                if (!remember_clusters_) break;
                clusters_.put(project, e.job_id, e.value, now);
                unknown_.erase(project, e.job_id);
                counters_.cluster_stores.fetch_add(1, std::memory_order_relaxed);
                break;
            case effect::kind::unknown:
                if (!remember_clusters_) break;
                unknown_.put(project, e.job_id, {}, now);
                clusters_.erase(project, e.job_id);
                counters_.unknown_stores.fetch_add(1, std::memory_order_relaxed);
                break;
        }
    }
}

std::vector<std::string> job_memory::being_killed(std::string_view project, clock::time_point now) const {
    return killing_.ids(project, now);
}

bool job_memory::deleted_lately(std::string_view project, std::string_view id, clock::time_point now) const {
    return deleted_.get(project, id, now).has_value();
}

std::optional<std::string> job_memory::cluster_of(std::string_view project, std::string_view id,
                                                  clock::time_point now) const {
    auto found = clusters_.get(project, id, now);
    (found ? counters_.cluster_hits : counters_.cluster_misses).fetch_add(1, std::memory_order_relaxed);
    return found;
}

bool job_memory::unknown_lately(std::string_view project, std::string_view id, clock::time_point now) const {
    const bool known = unknown_.get(project, id, now).has_value();
    if (known) counters_.unknown_hits.fetch_add(1, std::memory_order_relaxed);
    return known;
}

job_memory::cache_counters job_memory::counters() const noexcept {
    constexpr auto r = std::memory_order_relaxed;
    return {counters_.cluster_hits.load(r), counters_.cluster_misses.load(r), counters_.cluster_stores.load(r),
            counters_.unknown_hits.load(r), counters_.unknown_stores.load(r)};
}

std::size_t job_memory::size() const noexcept {
    return killing_.size() + deleted_.size() + clusters_.size() + unknown_.size();
}

void job_memory::recent::put(std::string_view project, std::string_view id, std::string value, clock::time_point now,
                             bool keep_expiry) {
    std::lock_guard lock(m_);
    if (size_.load(std::memory_order_relaxed) >= max_) prune(now);
    auto p = by_project_.find(project);
    if (p == by_project_.end()) p = by_project_.emplace(std::string(project), by_text<entry>{}).first;
    auto& ids = p->second;
    if (auto it = ids.find(id); it != ids.end()) {
        if (!keep_expiry || it->second.until <= now) it->second = entry{std::move(value), now + ttl_};
        return;
    }
    ids.emplace(std::string(id), entry{std::move(value), now + ttl_});
    size_.fetch_add(1, std::memory_order_relaxed);
}

void job_memory::recent::erase(std::string_view project, std::string_view id) {
    if (size_.load(std::memory_order_relaxed) == 0) return;
    std::lock_guard lock(m_);
    auto p = by_project_.find(project);
    if (p == by_project_.end()) return;
    auto it = p->second.find(id);
    if (it == p->second.end()) return;
    p->second.erase(it);
    size_.fetch_sub(1, std::memory_order_relaxed);
    if (p->second.empty()) by_project_.erase(p);
}

std::optional<std::string> job_memory::recent::get(std::string_view project, std::string_view id,
                                                   clock::time_point now) const {
    if (size_.load(std::memory_order_relaxed) == 0) return std::nullopt;
    std::lock_guard lock(m_);
    auto p = by_project_.find(project);
    if (p == by_project_.end()) return std::nullopt;
    auto it = p->second.find(id);
    if (it == p->second.end() || it->second.until <= now) return std::nullopt;
    return it->second.value;
}

std::vector<std::string> job_memory::recent::ids(std::string_view project, clock::time_point now) const {
    std::vector<std::string> out;
    if (size_.load(std::memory_order_relaxed) == 0) return out;
    std::lock_guard lock(m_);
    auto p = by_project_.find(project);
    if (p == by_project_.end()) return out;
    for (const auto& [id, e] : p->second)
        if (e.until > now) out.push_back(id);
    return out;
}

void job_memory::recent::prune(clock::time_point now) {
    std::size_t left = 0;
    for (auto p = by_project_.begin(); p != by_project_.end();) {
        std::erase_if(p->second, [&](const auto& kv) { return kv.second.until <= now; });
        left += p->second.size();
        p = p->second.empty() ? by_project_.erase(p) : std::next(p);
    }
    // Still full of live entries: forget them all rather than grow without bound.
    if (left >= max_) {
        by_project_.clear();
        left = 0;
    }
    size_.store(left, std::memory_order_relaxed);
}

}  // namespace sgw
