// The names of the shared job store's keys, one set per project.
//
// PREFIX{PROJECT}:killing       sorted set: job id, scored by the kill's expiry (epoch ms)
// PREFIX{PROJECT}:deleted:ID    "1" while the delete is remembered
// PREFIX{PROJECT}:cluster:ID    the job's cluster
// PREFIX{PROJECT}:unknown:ID    "1" while the job is known to be on no cluster
//
// The braces are a Redis Cluster hash tag: every key of a project falls in one slot, so that
// one request's commands could go to one shard. Project and id come from URLs the router has
// checked already; they are escaped all the same, so that no text can reach outside its part
// of a key.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sgw::store {

/// Longest project or job id kept in the store (the router allows 64 characters).
inline constexpr std::size_t max_key_part = 128;

/// `part` with each byte outside [A-Za-z0-9_.-] written as %XX, which keeps distinct parts
/// distinct; nullopt when it is empty or longer than max_key_part.
std::optional<std::string> key_part(std::string_view part);

/// The keys one request reads or writes.
struct job_keys {
    std::string killing;
    std::string deleted;  ///< the per-job keys are empty when there is no job id (a list)
    std::string cluster;
    std::string unknown;
};

/// The keys of `project` and `id` under `prefix`; nullopt when either cannot be a key part
/// (the memory then stays in-process for that request). `id` may be empty.
std::optional<job_keys> keys_for(std::string_view prefix, std::string_view project, std::string_view id);

/// Whether `prefix` may begin the store's keys: 1 to 64 printable ASCII characters, without
/// spaces or braces (a brace would move the hash tag).
bool valid_prefix(std::string_view prefix);

}  // namespace sgw::store
