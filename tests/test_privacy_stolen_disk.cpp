// A stolen disk or backup (docs/privacy.md, issue 20), end to end with the real programs: a
// demo ledger and a hot backup of it, the server stopped. From the raw files and the export
// alone no personal field decrypts under any 32 bytes found in them, and no plaintext name or
// e-mail is in any file; with the KEK an admin and a recruiter see the data and a reader reads
// "[redacted]" (stream, log, SSE); a missing or wrong KEK is refused (exit 1) leaving every
// file byte-identical; rotation survives kill -9 at any moment, after it the old KEK opens
// nothing, and a backup taken before an erasure does not reveal the erased candidate.

#include "support/process.hpp"
#include "support/raw_client.hpp"
#include "support/temp_dir.hpp"

#include "ledger/app/key_encryption_key.hpp"
#include "ledger/base64.hpp"
#include "ledger/sha256.hpp"
#include "ledger/store/event_store.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <openssl/evp.h>

#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace ledger;
using ledger::testing::http_request;
using ledger::testing::ledgerd;
using ledger::testing::raw_client;
using ledger::testing::run_process;
using ledger::testing::temp_dir;

namespace {

std::string const tool = RECRUIT_LEDGER;

std::string file_bytes(std::filesystem::path const& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::filesystem::path> files_below(std::filesystem::path const& directory) {
    std::vector<std::filesystem::path> files;
    for (auto const& entry : std::filesystem::recursive_directory_iterator(directory)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
    }
    return files;
}

std::map<std::string, std::string> file_hashes(std::filesystem::path const& directory) {
    std::map<std::string, std::string> hashes;
    for (auto const& file : files_below(directory)) hashes[file.string()] = to_hex(sha256(file_bytes(file)));
    return hashes;
}

/// A sealed value and the AAD it was sealed with.
struct sealed_value {
    std::string sealed;  // nonce ‖ ciphertext ‖ tag
    std::string aad;
};

/// The first sealed name of the export (what an attacker with the export has), and its stream.
std::pair<sealed_value, std::string> first_sealed_name(std::string const& exported) {
    std::istringstream lines(exported);
    for (std::string line; std::getline(lines, line);) {
        auto const event = boost::json::parse(line).as_object();
        if (event.at("type") != "CandidateRegistered") continue;
        std::string const value(event.at("data").at("name").as_string());
        REQUIRE(value.starts_with("enc:v1:"));
        std::string const stream(event.at("subject").as_string());
        return {{*base64_decode(value.substr(7)), stream + "\nCandidateRegistered\nname"}, stream};
    }
    FAIL("the export holds no CandidateRegistered");
    return {};
}

/// Whether AES-256-GCM opens `value` under the 32 bytes at some offset of `bytes`; one cipher
/// context re-keyed per window, so millions of windows take seconds.
bool some_window_opens(std::string const& bytes, sealed_value const& value) {
    auto const* nonce = reinterpret_cast<unsigned char const*>(value.sealed.data());
    auto const cipher = value.sealed.substr(12, value.sealed.size() - 28);
    std::string tag = value.sealed.substr(value.sealed.size() - 16);
    std::string plain(cipher.size() + 16, '\0');
    auto* out = reinterpret_cast<unsigned char*>(plain.data());
    EVP_CIPHER_CTX* context = EVP_CIPHER_CTX_new();
    EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nullptr, nullptr, nullptr);
    bool opened = false;
    for (std::size_t at = 0; at + 32 <= bytes.size() && !opened; ++at) {
        int n = 0;
        EVP_DecryptInit_ex(context, nullptr, nullptr, reinterpret_cast<unsigned char const*>(bytes.data() + at), nonce);
        EVP_DecryptUpdate(context, nullptr, &n, reinterpret_cast<unsigned char const*>(value.aad.data()),
                          static_cast<int>(value.aad.size()));
        EVP_DecryptUpdate(context, out, &n, reinterpret_cast<unsigned char const*>(cipher.data()),
                          static_cast<int>(cipher.size()));
        EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, 16, tag.data());
        opened = EVP_DecryptFinal_ex(context, out + n, &n) == 1;
    }
    EVP_CIPHER_CTX_free(context);
    return opened;
}

std::string auth(std::string const& token) {
    return token.empty() ? std::string() : "Authorization: Bearer " + token + "\r\n";
}

ledger::testing::raw_response get(ledgerd const& server, std::string const& target, std::string const& token = {}) {
    raw_client client(server.port());
    REQUIRE(client.connected());
    return client.call(http_request("GET", target, {}, auth(token)));
}

/// The data of the first event a GET of `target` answers.
boost::json::object first_data(ledgerd const& server, std::string const& target, std::string const& token = {}) {
    auto const reply = get(server, target, token);
    REQUIRE(reply.status == 200);
    return boost::json::parse(reply.body).at("events").at(0).at("data").as_object();
}

/// The data of the first CandidateRegistered an SSE subscription from position 0 delivers.
boost::json::object first_sse_registration(ledgerd const& server, std::string const& token) {
    int const fd = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval timeout{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(server.port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr const*>(&address), sizeof address) == 0);
    auto const request = http_request("GET", "/v1/subscribe?from_position=0", {}, auth(token));
    REQUIRE(::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size()));
    std::string seen;
    std::string const marker = "event: CandidateRegistered\ndata: ";
    std::size_t at = std::string::npos;
    char chunk[16384];
    while ((at = seen.find(marker)) == std::string::npos || seen.find('\n', at + marker.size()) == std::string::npos) {
        auto const n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) break;
        seen.append(chunk, static_cast<std::size_t>(n));
    }
    ::close(fd);
    REQUIRE(at != std::string::npos);
    auto const begin = at + marker.size();
    auto const line = seen.substr(begin, seen.find('\n', begin) - begin);
    return boost::json::parse(line).at("data").as_object();
}

std::string add_token(std::filesystem::path const& tokens, std::string const& name, std::string const& role) {
    auto const made = run_process(tool, {"token", "add", "--tokens", tokens.string(), name, role});
    REQUIRE(made.exit_code == 0);
    return made.out.substr(0, made.out.find('\n'));
}

/// recruit-ledgerd with `arguments` that must refuse to start: its exit code (-1: still running
/// after 30 s, then killed).
int refused_start(std::vector<std::string> arguments) {
    arguments.insert(arguments.end(), {"--listen", "127.0.0.1:0", "--log-level", "off"});
    auto const pid = ledger::testing::spawn_program(RECRUIT_LEDGERD, arguments);
    REQUIRE(pid > 0);
    auto const status = ledger::testing::wait_for_exit(pid, std::chrono::seconds(30));
    if (!status) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
    }
    return status.value_or(-1);
}

/// A demo ledger made the way README's first command makes it (its KEK beside the data
/// directory), a hot backup and the export.
struct demo_ledger {
    temp_dir dir;
    std::filesystem::path data = dir / "data";
    std::filesystem::path kek = dir / "data.kek";
    std::filesystem::path backup = dir / "backup";
    std::string exported;

    demo_ledger() {
        auto const demo = run_process(tool, {"demo", "--data", data.string(), "--events", "1500", "--seed", "7"});
        REQUIRE(demo.exit_code == 0);
        CHECK(demo.err.find(kek.string()) != std::string::npos);  // it says where the KEK is
        REQUIRE(std::filesystem::exists(kek));
        REQUIRE(run_process(tool, {"backup", "--data", data.string(), "--to", backup.string()}).exit_code == 0);
        auto const out = run_process(tool, {"export", "--data", data.string()});
        REQUIRE(out.exit_code == 0);
        exported = out.out;
    }
};

/// The candidates' plaintext names and e-mails, as an admin reads them with the KEK.
std::set<std::string> personal_plaintext(ledgerd const& server) {
    std::set<std::string> found;
    auto const reply = get(server, "/v1/events?type=CandidateRegistered&limit=1000");
    REQUIRE(reply.status == 200);
    auto const body = boost::json::parse(reply.body);  // outlives the loop
    for (auto const& event : body.at("events").as_array()) {
        auto const& data = event.at("data").as_object();
        for (char const* field : {"name", "email"}) {
            if (auto const* value = data.if_contains(field)) found.insert(std::string(value->as_string()));
        }
    }
    return found;
}

}  // namespace

TEST_CASE("a stolen data directory and backup reveal no personal field without the KEK",
          "[privacy][kek][e2e]") {
    demo_ledger demo;
    std::set<std::string> plaintext;
    {
        ledgerd server(demo.data, {"--kek", demo.kek.string()});
        REQUIRE(server.start());
        plaintext = personal_plaintext(server);
        REQUIRE(server.kill(SIGTERM));
    }
    REQUIRE(plaintext.size() > 10);
    CHECK_FALSE(plaintext.contains("[redacted]"));
    CHECK_FALSE(plaintext.contains("[erased]"));

    // What the attacker has: the files (everything mdb_dump prints is in them) and the export.
    auto const [sealed_name, stream] = first_sealed_name(demo.exported);
    auto const subject = stream.substr(std::string("candidate-").size());
    std::string wrapped;
    {
        store::event_store raw({.directory = demo.backup});  // no seal: stored bytes as they are
        wrapped = raw.subject_key(subject).value_or("");
    }
    REQUIRE(wrapped.size() == app::wrapped_key_size);
    auto const kek_id = *app::wrapped_key_kek_id(wrapped);
    sealed_value const wrapped_key{wrapped.substr(12), "recruit-ledger/subject-key/v1\n" + subject + "\n" + kek_id};
    auto const kek_bytes = file_bytes(demo.kek);

    auto files = files_below(demo.data);
    auto const backup_files = files_below(demo.backup);
    files.insert(files.end(), backup_files.begin(), backup_files.end());
    for (auto const& file : files) {
        auto const bytes = file_bytes(file);
        INFO(file);
        for (auto const& value : plaintext) CHECK(bytes.find(value) == std::string::npos);
        CHECK(bytes.find(kek_bytes) == std::string::npos);
        CHECK_FALSE(some_window_opens(bytes, sealed_name));  // no 32 bytes of it are the data key
        CHECK_FALSE(some_window_opens(bytes, wrapped_key));  // nor the KEK
    }
    CHECK_FALSE(some_window_opens(demo.exported, sealed_name));
    for (auto const& value : plaintext) CHECK(demo.exported.find(value) == std::string::npos);
    // The real KEK does open it: the check above could have failed.
    CHECK(some_window_opens(kek_bytes, wrapped_key));
}

TEST_CASE("with the KEK admin and recruiter see personal data and a reader reads [redacted], "
          "a missing or wrong KEK is refused and changes nothing", "[privacy][kek][e2e]") {
    demo_ledger demo;
    auto const tokens = demo.dir / "tokens";
    auto const admin = add_token(tokens, "ops", "admin");
    auto const recruiter = add_token(tokens, "rekrytering", "recruiter");
    auto const reader = add_token(tokens, "analys", "reader");
    auto const [sealed_name, stream] = first_sealed_name(demo.exported);
    {
        ledgerd server(demo.data, {"--kek", demo.kek.string(), "--tokens", tokens.string()});
        REQUIRE(server.start());
        auto const name = first_data(server, "/v1/streams/" + stream, admin).at("name").as_string();
        CHECK(name != "[redacted]");
        CHECK(first_data(server, "/v1/streams/" + stream, recruiter).at("name") == name);
        CHECK(first_data(server, "/v1/streams/" + stream, reader).at("name") == "[redacted]");
        auto const log = "/v1/events?type=CandidateRegistered&limit=1";
        CHECK(first_data(server, log, admin).at("name") != "[redacted]");
        CHECK(first_data(server, log, reader).at("name") == "[redacted]");
        CHECK(first_data(server, log, reader).at("email") == "[redacted]");
        CHECK(first_sse_registration(server, recruiter).at("name") != "[redacted]");
        CHECK(first_sse_registration(server, reader).at("name") == "[redacted]");
        CHECK(get(server, "/v1/candidates/" + stream.substr(10), reader).status == 403);
        REQUIRE(server.kill(SIGTERM));
    }

    auto const before = file_hashes(demo.dir.path());
    auto const moved = demo.dir / "elsewhere.kek";
    std::filesystem::rename(demo.kek, moved);
    auto const after_move = file_hashes(demo.dir.path());
    CHECK(refused_start({"--data", demo.data.string()}) == 1);  // missing
    CHECK(run_process(tool, {"demo", "--data", demo.data.string(), "--events", "10"}).exit_code == 1);
    CHECK(run_process(tool, {"keys", "init", "--kek", (demo.dir / "wrong.kek").string()}).exit_code == 0);
    CHECK(refused_start({"--data", demo.data.string(), "--kek", (demo.dir / "wrong.kek").string()}) == 1);
    auto const refused = run_process(tool, {"keys", "check", "--data", demo.data.string(), "--kek",
                                            (demo.dir / "wrong.kek").string()});
    CHECK(refused.exit_code == 1);
    CHECK(refused.err.find("wrong key-encryption key") != std::string::npos);
    auto after = file_hashes(demo.dir.path());
    after.erase((demo.dir / "wrong.kek").string());
    for (auto const& [file, hash] : after_move) {
        INFO(file);
        CHECK(after.at(file) == hash);  // every file of the ledger and its backup byte-identical
    }
    CHECK(before.size() == after.size());
    CHECK(run_process(tool, {"keys", "check", "--data", demo.data.string(), "--kek", moved.string()}).exit_code == 0);
}

TEST_CASE("rotation survives kill -9, afterwards the old KEK opens nothing and a backup from "
          "before an erasure does not reveal the erased candidate", "[privacy][kek][rotation][e2e]") {
    demo_ledger demo;
    auto const [sealed_name, stream] = first_sealed_name(demo.exported);
    auto const erased = stream.substr(10);
    auto const before_erasure = demo.backup;  // taken while the candidate was not erased
    {
        ledgerd server(demo.data, {"--kek", demo.kek.string()});
        REQUIRE(server.start());
        raw_client client(server.port());
        REQUIRE(client.call(http_request("POST", "/v1/candidates/" + erased + "/erase", "{}")).status == 201);
        REQUIRE(server.kill(SIGTERM));
    }
    auto const other = demo.dir / "other.kek";
    REQUIRE(run_process(tool, {"keys", "init", "--kek", other.string()}).exit_code == 0);
    auto opens = [&](std::filesystem::path const& kek) {
        return run_process(tool, {"keys", "check", "--data", demo.data.string(), "--kek", kek.string()}).exit_code == 0;
    };
    std::mt19937 random(20);
    auto current = demo.kek;
    auto next = other;
    for (int round = 0; round < 12; ++round) {
        auto const pid = ledger::testing::spawn_program(
            tool, {"keys", "rotate", "--data", demo.data.string(), "--kek", current.string(), "--new-kek", next.string()});
        REQUIRE(pid > 0);
        // Not synchronisation: the moment of the kill, anywhere from before the start to after the commit.
        std::this_thread::sleep_for(std::chrono::microseconds(random() % 40'000));
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        bool const old_opens = opens(current);
        bool const new_opens = opens(next);
        INFO("round " << round);
        REQUIRE(old_opens != new_opens);  // exactly one KEK opens the ledger, never neither
        if (new_opens) std::swap(current, next);
    }
    auto const final_kek = demo.dir / "final.kek";
    REQUIRE(run_process(tool, {"keys", "init", "--kek", final_kek.string()}).exit_code == 0);
    auto const rotated = run_process(tool, {"keys", "rotate", "--data", demo.data.string(), "--kek",
                                            current.string(), "--new-kek", final_kek.string()});
    REQUIRE(rotated.exit_code == 0);
    CHECK_FALSE(opens(demo.kek));
    CHECK_FALSE(opens(other));
    CHECK(opens(final_kek));
    CHECK(refused_start({"--data", demo.data.string(), "--kek", current.string()}) == 1);
    {
        ledgerd server(demo.data, {"--kek", final_kek.string()});
        REQUIRE(server.start());
        CHECK(first_data(server, "/v1/streams/" + stream).at("name") == "[erased]");
        auto const names = personal_plaintext(server);
        CHECK(names.size() > 10);  // the others still read
        CHECK(boost::json::parse(get(server, "/v1/audit/verify").body).at("ok") == true);
        REQUIRE(server.kill(SIGTERM));
    }

    // The backup from before the erasure, with the KEK in use now: refused, nothing revealed.
    CHECK(refused_start({"--data", before_erasure.string(), "--kek", final_kek.string()}) == 1);
    std::string wrapped;
    {
        store::event_store raw({.directory = before_erasure});
        wrapped = raw.subject_key(erased).value_or("");
    }
    REQUIRE(wrapped.size() == app::wrapped_key_size);  // the erased candidate's key, wrapped
    auto const final_key = app::key_encryption_key::load(final_kek, demo.data);
    CHECK_FALSE(final_key.unwrap(erased, wrapped));
    CHECK_FALSE(some_window_opens(file_bytes(final_kek), {wrapped.substr(12),
        "recruit-ledger/subject-key/v1\n" + erased + "\n" + *app::wrapped_key_kek_id(wrapped)}));
}
