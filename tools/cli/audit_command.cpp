// recruit-ledger audit: keygen, prove, check, extend (cli/audit_command.hpp).

#include "cli/audit_command.hpp"

#include "ledger/app/envelope_json.hpp"
#include "ledger/base64.hpp"
#include "ledger/envelope_codec.hpp"
#include "ledger/json_text.hpp"
#include "ledger/store/event_store.hpp"
#include "ledger/store/merkle.hpp"
#include "ledger/store/merkle_note.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ledger::cli {
namespace {

namespace merkle = store::merkle;
namespace json = boost::json;

constexpr int exit_ok = 0;
constexpr int exit_failure = 1;
constexpr std::string_view bundle_format = "recruit-ledger-audit-bundle/1";

using flag_map = std::map<std::string, std::string, std::less<>>;

/// A failed proof: printed as "audit <command>: FAILED: <why>", exit 1.
struct broken : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::string const& need(flag_map const& flags, std::string_view flag) {
    auto const found = flags.find(flag);
    if (found == flags.end()) throw std::invalid_argument("missing " + std::string(flag));
    return found->second;
}

std::uint64_t number(std::string const& text, std::string_view flag) {
    std::uint64_t value = 0;
    auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
        throw std::invalid_argument(std::string(flag) + " needs a non-negative integer");
    }
    return value;
}

std::string read_text(std::filesystem::path const& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + file.string());
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

/// --key as a verifier key line, or a file holding one.
merkle::verifier_key verifier(flag_map const& flags) {
    auto text = need(flags, "--key");
    std::error_code ignored;
    if (std::filesystem::is_regular_file(text, ignored)) text = read_text(text);
    auto key = merkle::parse_verifier_key(text);
    if (!key) throw std::invalid_argument("--key takes a verifier key <name>+<hex id>+<base64 key> (or a file holding one)");
    return *key;
}

merkle::checkpoint open_or_break(std::string_view note, merkle::verifier_key const& key, std::string_view what) {
    auto opened = merkle::open_checkpoint(note, key);
    if (auto const* why = std::get_if<std::string>(&opened)) throw broken(std::string(what) + ": " + *why);
    return std::get<merkle::checkpoint>(opened);
}

std::vector<sha256_digest> digests(json::array const& list, std::string_view what) {
    std::vector<sha256_digest> out;
    for (auto const& item : list) {
        auto const digest = item.is_string() ? parse_hex_digest(item.as_string()) : std::nullopt;
        if (!digest) throw broken(std::string(what) + " holds something that is not a 64-digit hex hash");
        out.push_back(*digest);
    }
    return out;
}

int keygen(flag_map const& flags) {
    auto const& file = need(flags, "--key");
    auto const name = flags.contains("--name") ? flags.find("--name")->second : std::string("recruitment-ledger");
    auto const key = merkle::generate_signing_key(name);
    merkle::write_private_key(file, key);
    std::printf("%s\n", merkle::verifier_text(key).c_str());
    return exit_ok;
}

int prove(flag_map const& flags) {
    std::filesystem::path const data = need(flags, "--data");
    auto const position = number(need(flags, "--position"), "--position");
    std::filesystem::path const key_file = flags.contains("--signing-key") ? std::filesystem::path(flags.find("--signing-key")->second)
                                                                           : data / "audit-signing.key";
    auto const key = merkle::read_private_key(key_file);
    store::event_store store({.directory = data, .writer = false});
    auto const held = store.tree_size();
    if (held < store.head().events) {
        throw std::runtime_error("the ledger's Merkle tree is not built yet (a ledger of an older build): start the server on it once");
    }
    auto const size = flags.contains("--tree-size") ? number(flags.find("--tree-size")->second, "--tree-size") : held;
    if (size > held) throw std::invalid_argument("--tree-size is beyond the ledger's " + std::to_string(held) + " events");
    if (position >= size) throw std::invalid_argument("--position must be below the tree size " + std::to_string(size));
    auto const stored = store.stored_event(position);
    if (!stored) throw std::runtime_error("no event at position " + std::to_string(position));
    json::array path;
    for (auto const& h : store.inclusion_proof(position, size)) path.emplace_back(to_hex(h));
    merkle::checkpoint const c{key.name, size, store.tree_root(size)};
    json::object bundle;
    bundle["format"] = bundle_format;
    bundle["position"] = position;
    bundle["tree_size"] = size;
    bundle["event"] = app::envelope_to_json(decode_stored(*stored));
    bundle["leaf"] = base64_encode(canonical_part(*stored));
    bundle["audit_path"] = std::move(path);
    bundle["checkpoint"] = merkle::sign_note(merkle::checkpoint_body(c), key);
    bundle["verifier_key"] = merkle::verifier_text(key);
    std::printf("%s\n", to_json_text(bundle).c_str());
    return exit_ok;
}

int check(flag_map const& flags, std::vector<std::string> const& words) {
    if (words.size() != 2) throw std::invalid_argument("audit check takes one BUNDLE file");
    auto const key = verifier(flags);
    json::object bundle;
    try {
        bundle = json::parse(read_text(words[1])).as_object();
    } catch (std::exception const& e) {
        throw broken("the bundle is not a JSON object: " + std::string(e.what()));
    }
    auto field = [&](std::string_view name) -> json::value const& {
        auto const* value = bundle.if_contains(name);
        if (value == nullptr) throw broken("the bundle has no " + std::string(name));
        return *value;
    };
    if (!field("format").is_string() || field("format").as_string() != bundle_format) throw broken("the bundle's format is not " + std::string(bundle_format));
    if (!field("position").is_number() || !field("tree_size").is_number() || !field("leaf").is_string() ||
        !field("audit_path").is_array() || !field("checkpoint").is_string() || !field("event").is_object()) {
        throw broken("the bundle's fields have the wrong types");
    }
    auto const position = field("position").to_number<std::uint64_t>();
    auto const size = field("tree_size").to_number<std::uint64_t>();
    auto const c = open_or_break(field("checkpoint").as_string(), key, "the checkpoint's signature");
    if (c.size != size) throw broken("the checkpoint is of " + std::to_string(c.size) + " events, the proof of " + std::to_string(size));
    auto const leaf = base64_decode(field("leaf").as_string());
    if (!leaf) throw broken("the leaf is not base64");
    auto const path = digests(field("audit_path").as_array(), "the audit path");
    if (!merkle::verify_inclusion(position, size, merkle::leaf_hash(*leaf), path, c.root)) {
        throw broken("the event's bytes and audit path do not lead to the signed root: the event or the proof was altered");
    }
    // The event shown must be the one proven: decode the proven bytes and compare.
    recorded_event proven;
    try {
        proven = decode_stored(*leaf + std::string(sizeof(sha256_digest), '\0'));
    } catch (std::exception const& e) {
        throw broken("the leaf bytes are not an event: " + std::string(e.what()));
    }
    auto shown = field("event").as_object();
    auto decoded = app::envelope_to_json(proven);
    shown.erase("hash");
    decoded.erase("hash");
    if (shown != decoded) throw broken("the event JSON differs from the proven bytes");
    if (proven.position != position) throw broken("the proven event is at position " + std::to_string(proven.position));
    std::printf("ok: the event at position %llu (%s %s) is in the log of %llu events whose root %s is signed by %s\n",
                static_cast<unsigned long long>(position), proven.stream.c_str(), proven.type.c_str(),
                static_cast<unsigned long long>(size), to_hex(c.root).c_str(), key.name.c_str());
    return exit_ok;
}

/// Where and how `audit extend` asks: the server's URL, a bearer token, and for https:// the
/// CA file that vouches for its certificate (default: the system's trusted CAs).
struct server_access {
    std::string base;
    std::optional<std::string> token;
    std::optional<std::string> ca;
};

/// GET of `target` on the server (http:// or https://, the certificate checked against the
/// host name); throws on transport and TLS failures and non-200 answers.
std::string http_get(server_access const& server, std::string const& target) {
    auto const url = boost::urls::parse_uri(server.base);
    if (!url || (url->scheme() != "http" && url->scheme() != "https")) {
        throw std::invalid_argument("--server takes an http:// or https:// URL");
    }
    namespace beast = boost::beast;
    namespace http = beast::http;
    namespace ssl = boost::asio::ssl;
    bool const tls = url->scheme() == "https";
    std::string const host(url->host());
    auto const port = url->has_port() ? std::string(url->port()) : std::string(tls ? "443" : "80");
    std::string prefix(url->path());
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    http::request<http::empty_body> request{http::verb::get, prefix + target, 11};
    request.set(http::field::host, host + ":" + port);
    if (server.token) request.set(http::field::authorization, "Bearer " + *server.token);
    boost::asio::io_context io;
    boost::asio::ip::tcp::resolver resolver(io);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    if (tls) {
        ssl::context context(ssl::context::tls_client);
        if (server.ca) context.load_verify_file(*server.ca);
        else context.set_default_verify_paths();
        context.set_verify_mode(ssl::verify_peer);
        ssl::stream<beast::tcp_stream> stream(io, context);
        if (SSL_set_tlsext_host_name(stream.native_handle(), host.c_str()) != 1) throw std::runtime_error("cannot set the TLS server name");
        stream.set_verify_callback(ssl::host_name_verification(host));
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
        beast::get_lowest_layer(stream).connect(resolver.resolve(host, port));
        stream.handshake(ssl::stream_base::client);
        http::write(stream, request);
        http::read(stream, buffer, response);
        beast::error_code ignored;
        stream.shutdown(ignored);
    } else {
        beast::tcp_stream stream(io);
        stream.expires_after(std::chrono::seconds(30));
        stream.connect(resolver.resolve(host, port));
        http::write(stream, request);
        http::read(stream, buffer, response);
        beast::error_code ignored;
        stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    }
    if (response.result_int() != 200) {
        throw std::runtime_error("GET " + target + " answered " + std::to_string(response.result_int()) + ": " + response.body());
    }
    return response.body();
}

int extend(flag_map const& flags) {
    auto const key = verifier(flags);
    server_access server{.base = need(flags, "--server"), .token = std::nullopt, .ca = std::nullopt};
    if (auto const found = flags.find("--token"); found != flags.end()) server.token = found->second;
    else if (char const* env = std::getenv("RECRUIT_LEDGER_TOKEN")) server.token = env;
    if (auto const found = flags.find("--ca"); found != flags.end()) server.ca = found->second;
    auto const old = open_or_break(read_text(need(flags, "--checkpoint")), key, "the kept checkpoint");
    auto const note = http_get(server, "/v1/audit/checkpoint");
    auto const now = open_or_break(note, key, "the server's checkpoint");
    if (now.origin != old.origin) throw broken("the server's log is " + now.origin + ", the kept checkpoint's " + old.origin);
    if (now.size < old.size) {
        throw broken("the log shrank from " + std::to_string(old.size) + " to " + std::to_string(now.size) + " events: it was truncated");
    }
    if (old.size == 0) {
        std::printf("ok: the kept checkpoint is of the empty log; the log now holds %llu events\n", static_cast<unsigned long long>(now.size));
    } else {
        auto const body = json::parse(http_get(server, "/v1/audit/proof/consistency?first=" + std::to_string(old.size) +
                                                           "&second=" + std::to_string(now.size)));
        auto const* proof = body.as_object().if_contains("proof");
        if (proof == nullptr || !proof->is_array()) throw broken("the server's consistency proof has no proof list");
        if (!merkle::verify_consistency(old.size, now.size, old.root, now.root, digests(proof->as_array(), "the consistency proof"))) {
            throw broken("the log of " + std::to_string(now.size) + " events does not extend the kept checkpoint of " +
                         std::to_string(old.size) + " events: history before position " + std::to_string(old.size) + " was rewritten");
        }
        std::printf("ok: the log of %llu events extends the kept checkpoint of %llu events\n",
                    static_cast<unsigned long long>(now.size), static_cast<unsigned long long>(old.size));
    }
    if (auto const out = flags.find("--out"); out != flags.end()) {
        std::ofstream file(out->second, std::ios::binary | std::ios::trunc);
        file << note;
        if (!file) throw std::runtime_error("cannot write " + out->second);
    }
    return exit_ok;
}

}  // namespace

int audit_command(flag_map const& flags, std::vector<std::string> const& words) {
    if (words.empty()) throw std::invalid_argument("audit needs keygen, prove, check or extend");
    auto const& sub = words[0];
    try {
        if (sub == "keygen") return keygen(flags);
        if (sub == "prove") return prove(flags);
        if (sub == "check") return check(flags, words);
        if (sub == "extend") return extend(flags);
    } catch (broken const& failure) {
        std::fprintf(stderr, "recruit-ledger audit %s: FAILED: %s\n", sub.c_str(), failure.what());
        return exit_failure;
    }
    throw std::invalid_argument("unknown audit command " + sub);
}

}  // namespace ledger::cli
