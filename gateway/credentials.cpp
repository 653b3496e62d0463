// The AK/SK keys: loading, checking, holding (docs/security.md, "AK/SK signing").
#include "gateway/credentials.hpp"

#include <openssl/crypto.h>
#include <toml++/toml.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sgw {

namespace {

constexpr std::size_t max_key = 256;
constexpr std::size_t max_token = 32 * 1024;

// Overwrites a buffer that held key material before it is freed (best effort: copies made
// by the TOML parser or the C library are beyond reach).
void wipe(std::string& s) noexcept {
    if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
}

struct wiped_string {
    std::string text;
    ~wiped_string() { wipe(text); }
};

bool visible_ascii(std::string_view s) noexcept {
    for (unsigned char c : s)
        if (c < 0x21 || c > 0x7E) return false;
    return true;
}

// What is wrong with a value, in words that never quote it; empty when it is fine.
std::string check_value(std::string_view value, std::string_view what, std::size_t max, bool comma_allowed) {
    if (value.empty()) return std::string(what) + " is empty";
    if (value.size() > max) return std::string(what) + " is longer than " + std::to_string(max) + " bytes";
    const bool edge_space = value.front() == ' ' || value.front() == '\t' || value.front() == '\n' ||
                            value.front() == '\r' || value.back() == ' ' || value.back() == '\t' ||
                            value.back() == '\n' || value.back() == '\r';
    if (edge_space) return std::string(what) + " has white space at its start or end";
    if (!visible_ascii(value))
        return std::string(what) + " has a character that is not visible ASCII (a space, a control character or non-ASCII)";
    if (!comma_allowed && value.find(',') != std::string_view::npos) return std::string(what) + " contains a comma";
    return {};
}

// Checks a complete set; `name_of` maps a field to how the source calls it.
template <class Name>
std::string check(const aksk::credentials& c, Name name_of) {
    if (auto e = check_value(c.access_key, name_of("access_key"), max_key, false); !e.empty()) return e;
    if (auto e = check_value(c.secret_key, name_of("secret_key"), max_key, true); !e.empty()) return e;
    if (!c.security_token.empty())
        if (auto e = check_value(c.security_token, name_of("security_token"), max_token, true); !e.empty()) return e;
    return {};
}

std::string system_error(int err) {
    char buf[256];
    // GNU strerror_r returns the message, which may or may not be in buf.
    return std::string(strerror_r(err, buf, sizeof buf));
}

std::string octal_mode(mode_t m) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
    return buf;
}

credentials_result from_file(const std::string& path) {
    const std::string where = "credentials file " + path;
    if (path.empty()) return std::string("credentials file: no path given");
    // O_NONBLOCK: a FIFO put there must not hang the start; it is refused below.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return where + ": cannot open: " + system_error(errno);
    struct closer {
        int fd;
        ~closer() { ::close(fd); }
    } guard{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) return where + ": cannot stat: " + system_error(errno);
    if (!S_ISREG(st.st_mode)) return where + ": is not a regular file";
    if (st.st_mode & S_IRWXO)
        return where + ": others may access it (mode " + octal_mode(st.st_mode) +
               "); a secret key must be readable by its owner and group only (chmod 0600 or 0640)";
    if (st.st_mode & S_IWGRP)
        return where + ": its group may write it (mode " + octal_mode(st.st_mode) + "); use chmod 0600 or 0640";
    if (static_cast<std::size_t>(st.st_size) > max_credentials_file)
        return where + ": is larger than " + std::to_string(max_credentials_file / 1024) + " KiB";

    wiped_string text;
    text.text.resize(max_credentials_file + 1);
    std::size_t got = 0;
    while (got < text.text.size()) {
        const auto n = ::read(fd, text.text.data() + got, text.text.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return where + ": cannot read: " + system_error(errno);
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    if (got > max_credentials_file)
        return where + ": is larger than " + std::to_string(max_credentials_file / 1024) + " KiB";
    text.text.resize(got);

    toml::table table;
    try {
        table = toml::parse(std::string_view(text.text), path);
    } catch (const toml::parse_error& e) {
        // The parser's own description may quote the text it stopped at, which can be part of
        // a key: only the position is reported.
        return where + ": not valid TOML at line " + std::to_string(e.source().begin.line) + ", column " +
               std::to_string(e.source().begin.column);
    }

    aksk::credentials c;
    bool has_ak = false, has_sk = false;
    for (auto&& [k, node] : table) {
        std::string* field = nullptr;
        if (k.str() == "access_key") {
            field = &c.access_key, has_ak = true;
        } else if (k.str() == "secret_key") {
            field = &c.secret_key, has_sk = true;
        } else if (k.str() == "security_token") {
            field = &c.security_token;
        } else {
            // The name is not quoted: a key pasted in the wrong place would be.
            return where + ": line " + std::to_string(k.source().begin.line) +
                   ": unknown key (the file holds access_key, secret_key and optionally security_token)";
        }
        if (!node.is_string()) return where + ": " + std::string(k.str()) + " must be a string";
        *field = *node.value<std::string>();
    }
    auto fail = [&](std::string e) {
        wipe(c.secret_key);
        wipe(c.security_token);
        return credentials_result(where + ": " + std::move(e));
    };
    if (!has_ak) return fail("access_key is missing");
    if (!has_sk) return fail("secret_key is missing");
    if (auto e = check(c, [](std::string_view n) { return std::string(n); }); !e.empty()) return fail(std::move(e));
    return c;
}

credentials_result from_env() {
    const char* ak = std::getenv(env_access_key.data());
    const char* sk = std::getenv(env_secret_key.data());
    const char* token = std::getenv(env_security_token.data());
    if (!ak) return "environment variable " + std::string(env_access_key) + " is not set";
    if (!sk) return "environment variable " + std::string(env_secret_key) + " is not set";
    aksk::credentials c{ak, sk, token ? token : ""};
    auto name_of = [](std::string_view field) {
        const auto var = field == "access_key"   ? env_access_key
                         : field == "secret_key" ? env_secret_key
                                                 : env_security_token;
        return "environment variable " + std::string(var);
    };
    if (auto e = check(c, name_of); !e.empty()) {
        wipe(c.secret_key);
        wipe(c.security_token);
        return e;
    }
    return c;
}

void destroy(const aksk::credentials* p) noexcept {
    auto* c = const_cast<aksk::credentials*>(p);
    wipe(c->secret_key);
    wipe(c->security_token);
    delete c;
}

}  // namespace

credentials_source credentials_source_of(const auth_config& auth) {
    if (auth.credentials_file.empty()) return {credentials_source::kind::env, {}};
    return {credentials_source::kind::file, auth.credentials_file};
}

credentials_result load_credentials(const credentials_source& src) {
    return src.from == credentials_source::kind::env ? from_env() : from_file(src.path);
}

credentials_holder::credentials_holder(credentials_source src, aksk::credentials initial) : src_(std::move(src)) {
    replace(std::move(initial));
}

std::shared_ptr<const aksk::credentials> credentials_holder::current() const {
    std::lock_guard lock(mutex_);
    return current_;
}

std::optional<std::string> credentials_holder::reload() {
    auto next = load_credentials(src_);
    if (!next) return next.error();
    replace(std::move(*next));
    return std::nullopt;
}

void credentials_holder::replace(aksk::credentials next) {
    std::shared_ptr<const aksk::credentials> fresh(new aksk::credentials(std::move(next)), destroy);
    std::lock_guard lock(mutex_);
    current_.swap(fresh);
    // The old set is released here or by the last signer still holding it.
}

}  // namespace sgw
