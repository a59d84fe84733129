#pragma once
// recruit-ledgerd's command line (SPEC §8).

#include "ledger/http/server.hpp"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ledger::http {

struct command_line {
    server_options options;
    bool help = false;
    bool version = false;  // --version: print the version and build commit, then exit 0
};

/// What went wrong with a command line, for the usage message (exit code 2).
struct usage_error {
    std::string message;
};

/// Parses `--data DIR --listen HOST:PORT [--tokens FILE] [--tls-cert F --tls-key F]
/// [--threads N] [--log-level LEVEL] [--port-file FILE] [--body-limit BYTES]
/// [--max-connections N] [--idle-timeout S] [--request-timeout S] [--allow-host NAME]...
/// [--allow-origin ORIGIN]... [--workers N] [--worker-queue N] [--page-bytes BYTES]
/// [--scan-events N] [--max-client-connections N] [--cap-loopback-clients yes|no] [--help]`
/// (each also as --flag=value).
/// `arguments` excludes the program name.
std::variant<command_line, usage_error> parse_command_line(std::vector<std::string> const& arguments);

/// Why these options cannot be served, or nullopt: --tls-cert and --tls-key come together, and
/// without --tokens only loopback addresses may be used (SPEC §6 Security). The tokens file and
/// the TLS files themselves are checked when the server starts.
std::optional<std::string> startup_refusal(server_options const& options);

/// The usage text.
std::string usage();

}  // namespace ledger::http
