// End to end: recruit-ledgerd with --tls-cert/--tls-key, a certificate made by the test, and curl
// as the HTTPS client (trusting only that certificate).

#include "support/http_fixture.hpp"
#include "support/raw_client.hpp"
#include "support/self_signed_cert.hpp"
#include "support/temp_dir.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

using namespace ledger::testing;
namespace json = boost::json;

namespace {

struct https_reply {
    int status = 0;  // 0: curl failed (exit code in `curl_exit`)
    int curl_exit = -1;
    std::string body;
};

/// One HTTPS request to localhost:port with curl, verifying the server against `ca` only.
https_reply https(std::uint16_t port, std::filesystem::path const& ca, std::string const& target,
                  std::vector<std::string> extra = {}) {
    auto const authority = "localhost:" + std::to_string(port);
    std::vector<std::string> arguments{"-s", "--max-time", "10", "--cacert", ca.string(), "--resolve",
                                       authority + ":127.0.0.1", "-w", "\n%{http_code}"};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    arguments.push_back("https://" + authority + target);
    auto const result = run_process("/usr/bin/curl", arguments);
    https_reply reply;
    reply.curl_exit = result.exit_code;
    auto const newline = result.out.rfind('\n');
    if (result.exit_code == 0 && newline != std::string::npos) {
        reply.status = std::stoi(result.out.substr(newline + 1));
        reply.body = result.out.substr(0, newline);
    }
    return reply;
}

/// recruit-ledgerd run with `arguments` (plus a fresh ledger, any port and a port file) that is
/// expected to stop by itself; `timeout` ends it after 10 s (exit 124) if it does not.
process_result run_ledgerd(temp_dir const& directory, std::vector<std::string> arguments) {
    std::vector<std::string> all{"10", RECRUIT_LEDGERD, "--data", (directory / "data").string(),
                                 "--listen", "127.0.0.1:0", "--port-file", (directory / "port").string(),
                                 "--log-level", "error"};
    all.insert(all.end(), arguments.begin(), arguments.end());
    return run_process("/usr/bin/timeout", all);
}

}  // namespace

TEST_CASE("with --tls-cert and --tls-key the server answers HTTPS and appends", "[e2e][tls]") {
    temp_dir directory;
    auto const pem = make_self_signed(directory.path());
    ledgerd server(directory / "data", {"--tls-cert", pem.cert.string(), "--tls-key", pem.key.string()});
    REQUIRE(server.start());

    auto const health = https(server.port(), pem.cert, "/healthz");
    CHECK(health.curl_exit == 0);
    CHECK(health.status == 200);
    auto const created = https(server.port(), pem.cert, "/v1/streams/campaign-es-2024/events",
                               {"-H", "Content-Type: application/json", "--data-binary",
                                append_body("\"no_stream\"", campaign_planned())});
    CHECK(created.status == 201);
    auto const read = https(server.port(), pem.cert, "/v1/streams/campaign-es-2024");
    REQUIRE(read.status == 200);
    CHECK(json::parse(read.body).at("events").at(0).at("data").at("name") == "Spain 2024");

    // A client that does not trust the certificate refuses the connection (curl exit 60).
    temp_dir elsewhere;
    auto const stranger = make_self_signed(elsewhere.path());
    CHECK(https(server.port(), stranger.cert, "/healthz").curl_exit == 60);
    CHECK(server.running());
}

TEST_CASE("plain HTTP on the TLS port gets no HTTP answer and harms nothing", "[e2e][tls]") {
    temp_dir directory;
    auto const pem = make_self_signed(directory.path());
    ledgerd server(directory / "data", {"--tls-cert", pem.cert.string(), "--tls-key", pem.key.string()});
    REQUIRE(server.start());
    raw_client plain(server.port());
    REQUIRE(plain.connected());
    auto const answer = plain.call(http_request("GET", "/healthz"));
    CHECK(answer.status == 0);
    CHECK(answer.closed);
    CHECK(plain.closed_by_peer());
    CHECK(https(server.port(), pem.cert, "/healthz").status == 200);
}

TEST_CASE("SIGTERM closes TLS connections that never finish a handshake", "[e2e][tls]") {
    temp_dir directory;
    auto const pem = make_self_signed(directory.path());
    ledgerd server(directory / "data", {"--tls-cert", pem.cert.string(), "--tls-key", pem.key.string()});
    REQUIRE(server.start());
    raw_client silent(server.port());
    REQUIRE(silent.connected());
    REQUIRE(https(server.port(), pem.cert, "/healthz").status == 200);
    auto const started = std::chrono::steady_clock::now();
    REQUIRE(server.kill(SIGTERM));
    // The handshake would wait 30 s and the drain 10 s: the silent client is closed at once.
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
}

TEST_CASE("a bad certificate or key stops the server with exit 1 before it listens", "[e2e][tls]") {
    temp_dir directory;
    auto const one = make_self_signed(directory.path(), "one");
    auto const other = make_self_signed(directory.path(), "other");
    auto const garbage = directory / "garbage.pem";
    std::ofstream(garbage) << "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";

    // OpenSSL itself notices a key of the certificate's type that does not match it; the server
    // checks the pair, too, which catches a key of another type.
    auto const mismatched = run_ledgerd(directory, {"--tls-cert", one.cert.string(), "--tls-key", other.key.string()});
    CHECK(mismatched.exit_code == 1);
    CHECK_THAT(mismatched.err, Catch::Contains("other.key") && Catch::Contains("mismatch"));
    auto const rsa = make_self_signed(directory.path(), "rsa", key_kind::rsa_2048);
    auto const other_kind = run_ledgerd(directory, {"--tls-cert", one.cert.string(), "--tls-key", rsa.key.string()});
    CHECK(other_kind.exit_code == 1);
    CHECK_THAT(other_kind.err, Catch::Contains("rsa.key does not match the certificate"));
    auto const missing = run_ledgerd(directory, {"--tls-cert", (directory / "none.crt").string(),
                                                 "--tls-key", one.key.string()});
    CHECK(missing.exit_code == 1);
    CHECK_THAT(missing.err, Catch::Contains("none.crt"));
    auto const missing_key = run_ledgerd(directory, {"--tls-cert", one.cert.string(),
                                                     "--tls-key", (directory / "none.key").string()});
    CHECK(missing_key.exit_code == 1);
    CHECK_THAT(missing_key.err, Catch::Contains("none.key"));
    auto const invalid = run_ledgerd(directory, {"--tls-cert", garbage.string(), "--tls-key", one.key.string()});
    CHECK(invalid.exit_code == 1);
    CHECK_THAT(invalid.err, Catch::Contains("garbage.pem"));
    CHECK_FALSE(std::filesystem::exists(directory / "port"));
}

TEST_CASE("a TLS certificate without its key (or the reverse) is a usage error", "[e2e][tls]") {
    temp_dir directory;
    auto const pem = make_self_signed(directory.path());
    auto const cert_only = run_ledgerd(directory, {"--tls-cert", pem.cert.string()});
    CHECK(cert_only.exit_code == 2);
    CHECK_THAT(cert_only.err, Catch::Contains("--tls-cert and --tls-key go together"));
    CHECK(run_ledgerd(directory, {"--tls-key", pem.key.string()}).exit_code == 2);
}

TEST_CASE("TLS 1.1 is refused and TLS 1.2 offers only forward-secret AEAD ciphers", "[e2e][tls]") {
    temp_dir directory;
    auto const pem = make_self_signed(directory.path());  // an ECDSA (P-256) certificate
    ledgerd server(directory / "data", {"--tls-cert", pem.cert.string(), "--tls-key", pem.key.string()});
    REQUIRE(server.start());
    // SECLEVEL=0 lets this client offer TLS 1.1 and old suites at all: the refusal is the server's.
    auto const old_client = [&](std::string const& version, std::string const& ciphers) {
        return https(server.port(), pem.cert, "/healthz",
                     {"--tlsv1.1", "--tls-max", version, "--ciphers", ciphers + ":@SECLEVEL=0"});
    };
    CHECK(old_client("1.1", "DEFAULT").status == 0);
    CHECK(old_client("1.2", "ECDHE-ECDSA-AES128-GCM-SHA256").status == 200);
    CHECK(old_client("1.2", "ECDHE-ECDSA-CHACHA20-POLY1305").status == 200);
    // Forward secrecy but CBC: not in the list.
    CHECK(old_client("1.2", "ECDHE-ECDSA-AES128-SHA").status == 0);
    CHECK(old_client("1.2", "ECDHE-ECDSA-AES256-SHA384").status == 0);
    CHECK(server.running());
}
