// sahara-gateway: serves the OpenStack Sahara job-execution API on top of MRS.
#include "gateway/config.hpp"
#include "gateway/log.hpp"
#include "gateway/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdio>
#include <functional>
#include <iostream>
#include <thread>

int main(int argc, char** argv) {
    auto loaded = sgw::load_config(argc, argv);
    if (loaded.show_help) {
        std::cout << sgw::usage();
        return 0;
    }
    if (loaded.show_version) {
        std::cout << "sahara-gateway 0.1.0\n";
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
        sgw::server srv(loaded.cfg);
        // Handlers are in place before the port is announced: a signal sent the moment the
        // process is up drains it instead of killing it.
        boost::asio::io_context signals_ctx;
        boost::asio::signal_set signals(signals_ctx, SIGINT, SIGTERM);
        signals.async_wait([&](const boost::system::error_code& ec, int sig) {
            if (ec) return;
            sgw::log::line(sgw::log::level::info, "draining").kv("signal", sig);
            srv.stop();
        });
        // SIGHUP reloads what can change while running: the access keys of auth.mode aksk.
        boost::asio::signal_set reloads(signals_ctx, SIGHUP);
        std::function<void(const boost::system::error_code&, int)> on_hup = [&](const boost::system::error_code& ec,
                                                                                 int) {
            if (ec) return;
            if (auto error = srv.reload_credentials())
                sgw::log::line(sgw::log::level::warn, "credentials not reloaded; the old keys stay").kv("error", *error);
            else
                sgw::log::line(sgw::log::level::info, "reloaded").kv("signal", "SIGHUP");
            reloads.async_wait(on_hup);
        };
        reloads.async_wait(on_hup);
        srv.start();
        // Tests and scripts read this line to learn the port (useful with port 0).
        std::printf("listening %s:%u\n", loaded.cfg.listen.host.c_str(), unsigned(srv.port()));
        std::fflush(stdout);
        sgw::log::line(sgw::log::level::info, "started")
            .kv("listen", loaded.cfg.listen.host + ":" + std::to_string(srv.port()))
            .kv("threads", loaded.cfg.listen.threads)
            .kv("max_connections", srv.max_connections());

        std::thread signal_thread([&] { signals_ctx.run(); });
        srv.wait();
        signals_ctx.stop();
        signal_thread.join();
        sgw::log::line(sgw::log::level::info, "stopped");
    } catch (const std::exception& e) {
        sgw::log::line(sgw::log::level::error, "cannot start").kv("error", e.what());
        return 1;
    }
    return 0;
}
