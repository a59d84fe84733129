// recruit-ledgerd: the ledger's HTTP server (SPEC §6, §8).
// Exit codes: 0 after a clean shutdown (SIGTERM/SIGINT), 1 on a failure, 2 on a usage error or
// options this build cannot honour yet (tokens, TLS, a non-loopback address without tokens).

#include "ledger/http/server.hpp"

int main(int argc, char** argv) {
    return ledger::http::server_main(std::vector<std::string>(argv + 1, argv + argc));
}
