// Throw-away TLS material for tests of the upstream connector against in-process servers.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/test/unit_test.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>
#include <memory>
#include <string>

namespace sgw::test {

/// A self-signed certificate for `cn` and its key.
struct identity_pair {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{nullptr, EVP_PKEY_free};
    std::unique_ptr<X509, decltype(&X509_free)> cert{nullptr, X509_free};
};

inline identity_pair self_signed(const char* cn) {
    identity_pair out;
    out.key.reset(EVP_EC_gen("P-256"));
    out.cert.reset(X509_new());
    BOOST_TEST_REQUIRE((out.key && out.cert));
    X509_set_version(out.cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(out.cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(out.cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(out.cert.get()), 3600);
    X509_set_pubkey(out.cert.get(), out.key.get());
    X509_NAME* name = X509_get_subject_name(out.cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
    X509_set_issuer_name(out.cert.get(), name);
    BOOST_TEST_REQUIRE(X509_sign(out.cert.get(), out.key.get(), EVP_sha256()) > 0);
    return out;
}

/// A server context with a throw-away self-signed certificate (the client does not verify).
inline std::unique_ptr<boost::asio::ssl::context> server_tls() {
    auto ctx = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
    auto id = self_signed("localhost");
    BOOST_TEST_REQUIRE(SSL_CTX_use_certificate(ctx->native_handle(), id.cert.get()) == 1);
    BOOST_TEST_REQUIRE(SSL_CTX_use_PrivateKey(ctx->native_handle(), id.key.get()) == 1);
    return ctx;
}

/// Writes the pair as PEM files `<stem>.crt` and `<stem>.key`.
inline void write_pem(const identity_pair& id, const std::string& stem) {
    std::unique_ptr<FILE, decltype(&std::fclose)> c(std::fopen((stem + ".crt").c_str(), "w"), std::fclose);
    std::unique_ptr<FILE, decltype(&std::fclose)> k(std::fopen((stem + ".key").c_str(), "w"), std::fclose);
    BOOST_TEST_REQUIRE((c && k));
    BOOST_TEST_REQUIRE(PEM_write_X509(c.get(), id.cert.get()) == 1);
    BOOST_TEST_REQUIRE(PEM_write_PrivateKey(k.get(), id.key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1);
}

}  // namespace sgw::test
