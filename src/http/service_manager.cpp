// sd_notify for Type=notify units (detail/service_manager.hpp). libsystemd is optional: built
// with LEDGER_HAVE_SYSTEMD when cmake finds it (tools/install-deps.sh installs libsystemd-dev).

#include "detail/service_manager.hpp"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>

#ifdef LEDGER_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

namespace ledger::http::detail {
namespace {

void notify(char const* state) {
#ifdef LEDGER_HAVE_SYSTEMD
    sd_notify(0, state);
#else
    (void)state;
#endif
}

/// The watchdog interval systemd asked for, or zero for none.
std::chrono::microseconds watchdog_interval() {
#ifdef LEDGER_HAVE_SYSTEMD
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0) return std::chrono::microseconds(usec);
#endif
    return std::chrono::microseconds(0);
}

struct watchdog {
    explicit watchdog(boost::asio::io_context& io) : timer(io) {}
    boost::asio::steady_timer timer;
    std::chrono::microseconds period{};
};

void schedule(std::shared_ptr<watchdog> const& dog) {
    dog->timer.expires_after(dog->period);
    dog->timer.async_wait([weak = std::weak_ptr<watchdog>(dog)](boost::system::error_code failure) {
        auto dog = weak.lock();
        if (failure || !dog) return;
        notify("WATCHDOG=1");
        schedule(dog);
    });
}

}  // namespace

void notify_ready() { notify("READY=1\nSTATUS=listening"); }

void notify_stopping() { notify("STOPPING=1\nSTATUS=draining"); }

std::shared_ptr<void> start_watchdog(boost::asio::io_context& io) {
    auto const interval = watchdog_interval();
    if (interval.count() == 0) return nullptr;
    auto dog = std::make_shared<watchdog>(io);
    dog->period = interval / 2;
    notify("WATCHDOG=1");
    schedule(dog);
    return dog;
}

}  // namespace ledger::http::detail
