#include "ledger/http/command_line.hpp"

#include <boost/url/ipv4_address.hpp>
#include <boost/url/ipv6_address.hpp>

#include <charconv>
#include <map>
#include <type_traits>

namespace ledger::http {
namespace {

template <class Number>
std::optional<Number> parse_number(std::string const& text, Number min, Number max) {
    Number value{};
    auto const* const end = text.data() + text.size();
    auto const [stop, failure] = std::from_chars(text.data(), end, value);
    if (text.empty() || failure != std::errc{} || stop != end || value < min || value > max) {
        return std::nullopt;
    }
    return value;
}

/// "HOST:PORT" or "[IPv6]:PORT".
std::optional<usage_error> parse_listen(std::string const& text, server_options& options) {
    auto const colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) return usage_error{"--listen takes HOST:PORT"};
    auto host = text.substr(0, colon);
    if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    auto const port = parse_number<std::uint16_t>(text.substr(colon + 1), 0, 65535);
    if (!port || host.empty()) return usage_error{"--listen takes HOST:PORT with a port 0-65535"};
    options.host = host;
    options.port = *port;
    return std::nullopt;
}

/// The SPEC §6 serving-rule flags. nullopt when `flag` is none of them; else the outcome
/// (an empty optional inside: applied).
std::optional<std::optional<usage_error>> apply_serving(std::string const& flag, std::string const& value,
                                                        server_options& options) {
    using outcome = std::optional<usage_error>;
    auto bounded = [&](auto& field, auto min, auto max, char const* what) -> outcome {
        auto const number = parse_number<std::remove_reference_t<decltype(field)>>(value, min, max);
        if (!number) return usage_error{flag + " takes " + what};
        field = *number;
        return std::nullopt;
    };
    if (flag == "--allow-host") {
        if (value.empty()) return outcome{usage_error{"--allow-host takes a host name"}};
        options.allowed_hosts.push_back(value);
        return outcome{};
    }
    if (flag == "--allow-origin") {
        if (!value.starts_with("http://") && !value.starts_with("https://")) {
            return outcome{usage_error{"--allow-origin takes an origin such as https://host:port"}};
        }
        options.allowed_origins.push_back(value);
        return outcome{};
    }
    if (flag == "--kek-rotation-batch") return bounded(options.kek_rotation_batch, std::size_t{1}, std::size_t{100'000}, "a number from 1 to 100000");
    if (flag == "--kek-rotation-pause") {
        auto const milliseconds = parse_number<unsigned>(value, 0, 60'000);
        if (!milliseconds) return outcome{usage_error{"--kek-rotation-pause takes milliseconds from 0 to 60000"}};
        options.kek_rotation_pause = std::chrono::milliseconds(*milliseconds);
        return outcome{};
    }
    if (flag == "--workers") return bounded(options.workers, 1u, 64u, "a number from 1 to 64");
    if (flag == "--worker-queue") return bounded(options.worker_queue, std::size_t{0}, std::size_t{10'000}, "a number from 0 to 10000");
    if (flag == "--page-bytes") return bounded(options.page_bytes, std::size_t{4096}, std::size_t{64} << 20, "bytes from 4096 to 64 MiB");
    if (flag == "--scan-events") return bounded(options.scan_events, std::uint64_t{1000}, std::uint64_t{1'000'000'000}, "a number from 1000 to 10^9");
    if (flag == "--max-client-connections") return bounded(options.max_client_connections, std::size_t{0}, std::size_t{100'000}, "a number from 0 (no cap) to 100000");
    if (flag == "--cap-loopback-clients") {
        if (value != "yes" && value != "no") return outcome{usage_error{"--cap-loopback-clients takes yes or no"}};
        options.cap_loopback_clients = value == "yes";
        return outcome{};
    }
    return std::nullopt;
}

/// The SPEC §12 replication flags. nullopt when `flag` is none of them; else the outcome.
std::optional<std::optional<usage_error>> apply_replication(std::string const& flag, std::string const& value,
                                                            replication::replication_options& options) {
    using outcome = std::optional<usage_error>;
    auto urls = [&](replication::role as) -> outcome {
        if (!value.starts_with("nats://")) return usage_error{flag + " takes nats://HOST:PORT[,nats://HOST:PORT...]"};
        if (options.as != replication::role::none && options.as != as) {
            return usage_error{"--replicate and --follow exclude each other"};
        }
        options.as = as;
        options.urls = value;
        return std::nullopt;
    };
    if (flag == "--replicate") return outcome{urls(replication::role::leader)};
    if (flag == "--follow") return outcome{urls(replication::role::follower)};
    if (flag == "--replication") {
        if (value != "sync" && value != "async") return outcome{usage_error{"--replication takes sync or async"}};
        options.sync = value == "sync";
        return outcome{};
    }
    auto name = [&](std::string& field) -> outcome {
        bool const valid = !value.empty() && value.size() <= 64 &&
                           value.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") ==
                               std::string::npos;
        if (!valid) return usage_error{flag + " takes a name of letters, digits, - and _"};
        field = value;
        return std::nullopt;
    };
    if (flag == "--replication-stream") return outcome{name(options.stream)};
    if (flag == "--replication-consumer") return outcome{name(options.consumer)};
    if (flag == "--replicas") {
        auto const replicas = parse_number<int>(value, 1, 5);
        if (!replicas) return outcome{usage_error{"--replicas takes a number from 1 to 5"}};
        options.replicas = *replicas;
        return outcome{};
    }
    if (flag == "--replication-timeout") {
        auto const ms = parse_number<unsigned>(value, 100, 600'000);
        if (!ms) return outcome{usage_error{"--replication-timeout takes milliseconds from 100 to 600000"}};
        options.publish_timeout = std::chrono::milliseconds(*ms);
        return outcome{};
    }
    if (flag == "--advertise") {
        if (!value.starts_with("http://") && !value.starts_with("https://")) {
            return outcome{usage_error{"--advertise takes the leader's URL, http(s)://HOST:PORT"}};
        }
        options.advertise = value;
        return outcome{};
    }
    return std::nullopt;
}

std::optional<usage_error> apply(std::string const& flag, std::string const& value,
                                 server_options& options) {
    if (flag == "--data") options.data = value;
    else if (flag == "--listen") return parse_listen(value, options);
    else if (flag == "--tokens") options.tokens = value;
    else if (flag == "--tls-cert") options.tls_cert = value;
    else if (flag == "--tls-key") options.tls_key = value;
    else if (flag == "--kek") options.kek = value;
    else if (flag == "--new-kek") options.new_kek = value;
    else if (flag == "--port-file") options.port_file = value;
    else if (flag == "--log-level") {
        static std::map<std::string, int> const levels{{"trace", 0}, {"debug", 1}, {"info", 2},
                                                       {"warn", 3},  {"error", 4}, {"off", 5}};
        if (!levels.contains(value)) return usage_error{"--log-level: trace, debug, info, warn, error or off"};
        options.log_level = value;
    } else if (flag == "--log-format") {
        if (value != "text" && value != "json") return usage_error{"--log-format: text or json"};
        options.log_format = value;
    } else if (flag == "--threads") {
        auto const threads = parse_number<unsigned>(value, 1, 256);
        if (!threads) return usage_error{"--threads takes a number from 1 to 256"};
        options.threads = *threads;
    } else if (flag == "--body-limit") {
        auto const limit = parse_number<std::size_t>(value, 1024, std::size_t{1} << 30);
        if (!limit) return usage_error{"--body-limit takes bytes from 1024 to 1 GiB"};
        options.body_limit = *limit;
    } else if (flag == "--max-connections") {
        auto const limit = parse_number<std::size_t>(value, 1, 100'000);
        if (!limit) return usage_error{"--max-connections takes a number from 1 to 100000"};
        options.max_connections = *limit;
    } else if (flag == "--snapshot-every") {
        auto const events = parse_number<std::uint64_t>(value, 1, std::uint64_t{1} << 40);
        if (!events) return usage_error{"--snapshot-every takes a number of events, at least 1"};
        options.snapshot_every = *events;
    } else if (flag == "--checkpoint-every") {
        auto const events = parse_number<std::uint64_t>(value, 1, std::uint64_t{1} << 40);
        if (!events) return usage_error{"--checkpoint-every takes a number of events, at least 1"};
        options.checkpoint_every = *events;
    } else if (flag == "--checkpoint-chunk-bits") {
        auto const bits = parse_number<unsigned>(value, 0, 20);
        if (!bits || (*bits != 0 && *bits < 10)) {
            return usage_error{"--checkpoint-chunk-bits takes 0 (whole records) or 10 to 20"};
        }
        options.checkpoint_chunk_bits = *bits;
    } else if (flag == "--checkpoint-compression-level") {
        auto const level = parse_number<int>(value, 0, 19);
        if (!level) return usage_error{"--checkpoint-compression-level takes 0 (plain chunks) to 19"};
        options.checkpoint_compression_level = *level;
    } else if (flag == "--checkpoint-compress-table") {
        if (value != "0" && value != "1") return usage_error{"--checkpoint-compress-table takes 0 or 1"};
        options.checkpoint_compress_table = value == "1";
    } else if (flag == "--max-queued-appends") {
        auto const limit = parse_number<std::size_t>(value, 1, 10'000'000);
        if (!limit) return usage_error{"--max-queued-appends takes a number from 1 to 10000000"};
        options.max_queued_appends = *limit;
    } else if (flag == "--signing-key") {
        options.signing_key = value;
    } else if (flag == "--witness-every") {
        auto const events = parse_number<std::uint64_t>(value, 1, std::uint64_t{1} << 40);
        if (!events) return usage_error{"--witness-every takes a number of events, at least 1"};
        options.witness_every = *events;
    } else if (flag == "--witness-interval") {
        auto const seconds = parse_number<unsigned>(value, 1, 86'400);
        if (!seconds) return usage_error{"--witness-interval takes seconds from 1 to 86400"};
        options.witness_interval = std::chrono::seconds(*seconds);
    } else if (flag == "--drain-timeout") {
        auto const seconds = parse_number<unsigned>(value, 1, 3600);
        if (!seconds) return usage_error{"--drain-timeout takes seconds from 1 to 3600"};
        options.drain_timeout = std::chrono::seconds(*seconds);
    } else if (flag == "--idle-timeout" || flag == "--request-timeout") {
        // Tests of slow and idle clients need timeouts of seconds, not the defaults' minutes.
        auto const seconds = parse_number<unsigned>(value, 1, 3600);
        if (!seconds) return usage_error{flag + " takes seconds from 1 to 3600"};
        (flag == "--idle-timeout" ? options.idle_timeout : options.request_timeout) = std::chrono::seconds(*seconds);
    } else if (auto served = apply_serving(flag, value, options)) {
        return *served;
    } else if (auto replicated = apply_replication(flag, value, options.replication)) {
        return *replicated;
    } else {
        return usage_error{"unknown option " + flag};
    }
    return std::nullopt;
}

bool is_loopback(std::string const& host) {
    if (host == "localhost") return true;
    if (auto const v4 = boost::urls::parse_ipv4_address(host)) return v4->is_loopback();
    if (auto const v6 = boost::urls::parse_ipv6_address(host)) return v6->is_loopback();
    return false;
}

}  // namespace

std::variant<command_line, usage_error> parse_command_line(std::vector<std::string> const& arguments) {
    command_line parsed;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        auto flag = arguments[i];
        if (flag == "--help" || flag == "-h") {
            parsed.help = true;
            continue;
        }
        if (flag == "--version") {
            parsed.version = true;
            continue;
        }
        std::string value;
        if (auto const equals = flag.find('='); flag.starts_with("--") && equals != std::string::npos) {
            value = flag.substr(equals + 1);
            flag.resize(equals);
        } else if (i + 1 < arguments.size()) {
            value = arguments[++i];
        } else {
            return usage_error{flag.starts_with("--") ? flag + " needs a value" : "unexpected argument " + flag};
        }
        if (auto failure = apply(flag, value, parsed.options)) return std::move(*failure);
    }
    return parsed;
}

std::optional<std::string> startup_refusal(server_options const& options) {
    if (options.tls_cert.has_value() != options.tls_key.has_value()) return "--tls-cert and --tls-key go together";
    if (!options.tokens && !is_loopback(options.host)) {
        return "refusing to listen on " + options.host +
               " without --tokens: without tokens the server binds loopback only";
    }
    return std::nullopt;
}

std::string usage() {
    return "usage: recruit-ledgerd [--help] [--version] [--data DIR] [--listen HOST:PORT] [--threads N]\n"
           "                       [--log-level trace|debug|info|warn|error|off] [--log-format text|json]\n"
           "                       [--port-file FILE] [--body-limit BYTES] [--max-connections N]\n"
           "                       [--idle-timeout SECONDS] [--request-timeout SECONDS]\n"
           "                       [--tokens FILE] [--tls-cert FILE --tls-key FILE] [--kek FILE]\n"
           "                       [--snapshot-every EVENTS] [--max-queued-appends N]\n"
           "                       [--drain-timeout SECONDS] [--checkpoint-every EVENTS]\n"
           "                       [--checkpoint-chunk-bits 0|10..20]\n"
           "                       [--checkpoint-compression-level 0..19] [--checkpoint-compress-table 0|1]\n"
           "                       [--signing-key FILE] [--witness-every EVENTS]\n"
           "                       [--witness-interval SECONDS]\n"
           "                       [--allow-host NAME]... [--allow-origin ORIGIN]...\n"
           "                       [--workers N] [--worker-queue N] [--page-bytes BYTES]\n"
           "                       [--scan-events N] [--max-client-connections N]\n"
           "                       [--cap-loopback-clients yes|no]\n"
           "                       [--replicate nats://HOST:PORT[,...] [--replication sync|async]\n"
           "                        [--replicas N] [--advertise URL] [--replication-timeout MS]]\n"
           "                       [--follow nats://HOST:PORT[,...] [--replication-consumer NAME]]\n"
           "                       [--replication-stream NAME]\n"
           "                       [--new-kek FILE [--kek-rotation-batch N] [--kek-rotation-pause MS]]\n"
           "defaults: --data ./data --listen 127.0.0.1:8080 --threads 2 --log-level info\n"
           "--listen HOST:0 picks a free port; --port-file receives the port once listening.\n"
           "--kek: the key-encryption key of personal data (default: the systemd credential\n"
           "recruit-ledger-kek, else DIR.kek beside the data directory; docs/privacy.md).\n"
           "--replicate: lead, publishing every event to JetStream (sync: answer appends once it\n"
           "stored them); --follow: keep a byte-identical read-only copy (docs/replication.md).\n"
           "--new-kek (or the credential recruit-ledger-kek-new): re-wrap every candidate key under\n"
           "it while serving, --kek-rotation-batch keys (256) per transaction, --kek-rotation-pause\n"
           "ms (10) between them; resumes after a restart; then start with --kek NEW alone.\n";
}

}  // namespace ledger::http
