// The AK/SK keys the gateway signs MRS calls with (mrs-api.md §6.2): read from a TOML file or
// from the environment, never from the command line (where `ps` would show them), and held so
// that worker threads sign while a reload replaces them.
//
// Errors name the file or the variable and what is wrong with it; they never quote a key, a
// secret or a token, nor the text around them (docs/security.md, "AK/SK signing").
#pragma once

#include "gateway/config.hpp"
#include "gateway/upstream/aksk.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace sgw {

/// Where the keys come from.
struct credentials_source {
    enum class kind {
        file,  ///< a TOML file with `access_key`, `secret_key` and optionally `security_token`
        env,   ///< the Huawei Cloud SDKs' own variables (below), so one setup serves both
    };
    kind from = kind::file;
    std::string path;  ///< the file, for `kind::file`
};

inline constexpr std::string_view env_access_key = "HUAWEICLOUD_SDK_AK";
inline constexpr std::string_view env_secret_key = "HUAWEICLOUD_SDK_SK";
inline constexpr std::string_view env_security_token = "HUAWEICLOUD_SDK_SECURITY_TOKEN";

/// The largest credentials file read (temporary keys' tokens run to a few KiB).
inline constexpr std::size_t max_credentials_file = 64 * 1024;

/// Where auth.credentials_file says the keys are: that file, or the environment when empty.
credentials_source credentials_source_of(const auth_config& auth);

/// Keys, or why there are none.
class credentials_result {
public:
    credentials_result(aksk::credentials v) : value_(std::move(v)) {}
    credentials_result(std::string error) : error_(std::move(error)) {}
    explicit operator bool() const noexcept { return value_.has_value(); }
    aksk::credentials& operator*() { return *value_; }
    const aksk::credentials& operator*() const { return *value_; }
    const aksk::credentials* operator->() const { return &*value_; }
    const std::string& error() const noexcept { return error_; }

private:
    std::optional<aksk::credentials> value_;
    std::string error_;
};

/// Reads and checks the keys from `src`.
///
/// A file must be a regular file of at most `max_credentials_file` bytes that neither its
/// group may write nor others may access at all (0600 or 0640): a key others can read is
/// already leaked, so it is refused rather than warned about. The access key must be 1–256
/// bytes of visible ASCII without `,` (it goes into `Authorization` as is); the secret key
/// 1–256 bytes of visible ASCII; the security token, when set, visible ASCII. An empty
/// security token means permanent keys. Unknown keys in the file are refused.
credentials_result load_credentials(const credentials_source& src);

/// The current keys, shared by every worker thread; `reload` swaps the whole set at once, so a
/// request is signed with one set, never a mix.
class credentials_holder {
public:
    credentials_holder(credentials_source src, aksk::credentials initial);
    credentials_holder(const credentials_holder&) = delete;
    credentials_holder& operator=(const credentials_holder&) = delete;

    /// The keys to sign with now; they stay valid while the pointer is held, across reloads.
    std::shared_ptr<const aksk::credentials> current() const;

    /// Reads the same source again. On success the new keys replace the old ones; on failure
    /// the old ones stay and the error is returned.
    std::optional<std::string> reload();


private:
    void replace(aksk::credentials next);

    const credentials_source src_;
    mutable std::mutex mutex_;  // held only to copy or swap the pointer
    std::shared_ptr<const aksk::credentials> current_;
};

}  // namespace sgw
