// The access log: one JSON object per answered (or abandoned) request, on stdout or in a file,
// apart from the error log on stderr. It never holds a token, a query string or a body.
#pragma once

#include "gateway/request_done.hpp"

#include <mutex>
#include <optional>
#include <string>

namespace sgw {

class access_log {
public:
    access_log() = default;
    ~access_log();
    access_log(const access_log&) = delete;
    access_log& operator=(const access_log&) = delete;

    /// Writes to `path` ("-": stdout) from now on, when `on`; the reason on failure, and the old
    /// destination stays. Also how SIGHUP reopens a rotated file. Safe from any thread.
    std::optional<std::string> open(bool on, const std::string& path);
    bool enabled() const noexcept;

    /// One line for `r`. Safe from any thread; one write per line.
    void write(const request_done& r);

    /// The line `write` would write, without the newline (for tests).
    static std::string format(const request_done& r);

private:
    mutable std::mutex m_;
    int fd_ = -1;         ///< -1: off
    bool own_fd_ = false;  ///< a file we opened, not stdout
};

}  // namespace sgw
