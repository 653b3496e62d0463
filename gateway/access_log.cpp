// The access log.
#include "gateway/access_log.hpp"

#include "gateway/log.hpp"
#include "translators/common/text.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace sgw {

access_log::~access_log() {
    if (own_fd_) ::close(fd_);
}

std::optional<std::string> access_log::open(bool on, const std::string& path) {
    int fd = -1;
    bool own = false;
    if (on && path == "-") {
        fd = STDOUT_FILENO;
    } else if (on) {
        fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (fd < 0) return "cannot open " + path + ": " + std::strerror(errno);
        own = true;
    }
    std::lock_guard lock(m_);
    if (own_fd_) ::close(fd_);
    fd_ = fd;
    own_fd_ = own;
    return std::nullopt;
}

bool access_log::enabled() const noexcept {
    std::lock_guard lock(m_);
    return fd_ >= 0;
}

std::string access_log::format(const request_done& r) {
    constexpr std::size_t max_text = 1024;
    boost::json::object o;
    o["ts"] = log::timestamp(true);
    o["rid"] = r.request_id;
    if (!r.global_request_id.empty()) o["global_rid"] = r.global_request_id;
    o["method"] = clean_text(r.method, 32);
    o["path"] = clean_text(r.path, max_text);
    o["op"] = r.operation;
    if (!r.version.empty()) o["version"] = r.version;
    if (!r.project.empty()) o["project"] = clean_text(r.project, 128);
    o["status"] = r.status;
    o["end"] = r.status == 0 ? "cancelled" : r.refused ? "refused" : "answered";
    o["upstream_calls"] = r.upstream_calls;
    o["upstream_ms"] = static_cast<double>(r.upstream_time.count()) / 1000.0;
    o["ms"] = static_cast<double>(r.total_time.count()) / 1000.0;
    o["bytes_in"] = r.request_bytes;
    o["bytes_out"] = r.response_bytes;
    if (!r.detail.empty()) o["detail"] = clean_text(r.detail, max_text);
    return boost::json::serialize(o);
}

void access_log::write(const request_done& r) {
    if (!enabled()) return;  // off: nothing formatted
    std::string line = format(r);
    line += '\n';
    std::lock_guard lock(m_);
    for (std::size_t off = 0; fd_ >= 0 && off < line.size();) {
        const auto n = ::write(fd_, line.data() + off, line.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // a full disk or a closed pipe costs the line, never the request
        off += static_cast<std::size_t>(n);
    }
}

}  // namespace sgw
