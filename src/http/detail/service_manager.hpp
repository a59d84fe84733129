#pragma once
// Tells systemd (sd_notify(3)) how the server is doing, for Type=notify units: READY=1 once
// listening, STOPPING=1 when a shutdown begins, and WATCHDOG=1 pings while the I/O loop runs.
// Without $NOTIFY_SOCKET (not started by systemd), or in a build without libsystemd, every
// call does nothing. Never throws.

#include <boost/asio/io_context.hpp>

#include <memory>

namespace ledger::http::detail {

/// After the socket is bound and accepting. Any thread.
void notify_ready();

/// When draining starts (SIGTERM). Any thread.
void notify_stopping();

/// Starts pinging WATCHDOG=1 from `io` at half the unit's WatchdogSec when the service manager
/// asked for a watchdog; pings stop when the returned handle is destroyed or `io` stops, so a
/// wedged I/O loop gets the service restarted. Call from the thread that runs `io` setup.
std::shared_ptr<void> start_watchdog(boost::asio::io_context& io);

}  // namespace ledger::http::detail
