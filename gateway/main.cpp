// sahara-gateway: serves the OpenStack Sahara job-execution API on top of MRS.
#include "gateway/admin.hpp"
#include "gateway/config.hpp"
#include "gateway/log.hpp"
#include "gateway/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>
#include <thread>

namespace {

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : "; ") + i;
    return out;
}

// SIGHUP: the configuration is read again, from the same file and flags. An invalid one is
// refused and the running one stays.
void reload(sgw::server& srv, int argc, char** argv) {
    auto loaded = sgw::load_config(argc, argv);
    if (!loaded.errors.empty()) {
        srv.reload_refused();
        sgw::log::line(sgw::log::level::warn, "configuration not reloaded; the running one stays")
            .kv("error", joined(loaded.errors));
        return;
    }
    auto r = srv.reload(std::move(loaded.cfg));
    if (r.error) {
        sgw::log::line(sgw::log::level::warn, "configuration not reloaded; the running one stays").kv("error", *r.error);
        return;
    }
    if (!r.kept.empty())
        sgw::log::line(sgw::log::level::warn, "reloaded, but these keys need a restart and keep their value")
            .kv("keys", joined(r.kept));
    sgw::log::line(sgw::log::level::info, "reloaded").kv("signal", "SIGHUP");
}

}  // namespace

int main(int argc, char** argv) {
    auto loaded = sgw::load_config(argc, argv);
    if (loaded.show_help) {
        std::cout << sgw::usage();
        return 0;
    }
    if (loaded.show_version) {
        std::cout << "sahara-gateway " SGW_VERSION "\n";
        return 0;
    }
    if (!loaded.errors.empty()) {
        for (auto& e : loaded.errors) std::cerr << "sahara-gateway: " << e << "\n";
        return 2;
    }
    if (loaded.check_only) {
        std::cout << "configuration OK\n";
        return 0;
    }
    sgw::log::level lvl{};
    sgw::log::parse_level(loaded.cfg.log.level, lvl);
    sgw::log::set_level(lvl);
    std::signal(SIGPIPE, SIG_IGN);

    try {
        const auto admin_cfg = loaded.cfg.admin;
        sgw::server srv(loaded.cfg);
        std::unique_ptr<sgw::admin> adm;
        // Handlers are in place before the port is announced: a signal sent the moment the
        // process is up drains it instead of killing it.
        boost::asio::io_context signals_ctx;
        boost::asio::signal_set signals(signals_ctx, SIGINT, SIGTERM);
        signals.async_wait([&](const boost::system::error_code& ec, int sig) {
            if (ec) return;
            sgw::log::line(sgw::log::level::info, "draining").kv("signal", sig);
            srv.stop();
        });
        boost::asio::signal_set reloads(signals_ctx, SIGHUP);
        std::function<void(const boost::system::error_code&, int)> on_hup = [&](const boost::system::error_code& ec,
                                                                                 int) {
            if (ec) return;
            reload(srv, argc, argv);
            reloads.async_wait(on_hup);
        };
        reloads.async_wait(on_hup);
        srv.start();
        if (admin_cfg.enabled) {
            adm = std::make_unique<sgw::admin>(srv, admin_cfg);
            adm->start();
        }
        // Tests and scripts read these lines to learn the ports (useful with port 0).
        std::printf("listening %s:%u\n", loaded.cfg.listen.host.c_str(), unsigned(srv.port()));
        if (adm) std::printf("admin listening %s:%u\n", admin_cfg.host.c_str(), unsigned(adm->port()));
        std::fflush(stdout);
        sgw::log::line(sgw::log::level::info, "started")
            .kv("listen", loaded.cfg.listen.host + ":" + std::to_string(srv.port()))
            .kv("admin", adm ? admin_cfg.host + ":" + std::to_string(adm->port()) : std::string("off"))
            .kv("threads", loaded.cfg.listen.threads)
            .kv("max_connections", srv.max_connections());

        std::thread signal_thread([&] { signals_ctx.run(); });
        srv.wait();
        signals_ctx.stop();
        signal_thread.join();
        if (adm) adm->stop();
        sgw::log::line(sgw::log::level::info, "stopped");
    } catch (const std::exception& e) {
        sgw::log::line(sgw::log::level::error, "cannot start").kv("error", e.what());
        return 1;
    }
    return 0;
}
