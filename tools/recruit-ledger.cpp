// recruit-ledger: the operator's and analyst's command-line tool (SPEC §8).
// Exit codes: 0 ok, 1 failure, 2 usage.

#include "cli/audit_command.hpp"
#include "cli/progress_bar.hpp"
#include "demo_ledger.hpp"

#include "ledger/app/csv.hpp"
#include "ledger/app/domain_policy.hpp"
#include "ledger/app/personal_data.hpp"
#include "ledger/app/personal_data_keys.hpp"
#include "ledger/app/exchange.hpp"
#include "ledger/app/projection_runner.hpp"
#include "ledger/app/tokens.hpp"
#include "ledger/store/event_store.hpp"
#include "ledger/build_info.hpp"
#include "ledger/http/openapi.hpp"
#include "ledger/http/server.hpp"
#include "ledger/json_text.hpp"
#include "ledger/replication/replication.hpp"
#include "ledger/store/lmdb.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <functional>
#include <future>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace ledger;

constexpr int exit_ok = 0;
constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// `--flag value` pairs and positional words; every flag of these commands takes a value.
struct arguments {
    std::map<std::string, std::string, std::less<>> flags;
    std::vector<std::string> positionals;

    std::string const& required(std::string_view flag) const {
        auto const found = flags.find(flag);
        if (found == flags.end()) throw usage_error("missing " + std::string(flag));
        return found->second;
    }
    std::optional<std::string> optional(std::string_view flag) const {
        auto const found = flags.find(flag);
        return found == flags.end() ? std::nullopt : std::optional(found->second);
    }
    std::optional<std::uint64_t> number(std::string_view flag) const {
        auto const found = flags.find(flag);
        if (found == flags.end()) return std::nullopt;
        std::uint64_t value = 0;
        auto const& text = found->second;
        auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc{} || end != text.data() + text.size()) {
            throw usage_error(std::string(flag) + " needs a non-negative integer");
        }
        return value;
    }
};

arguments parse(std::vector<std::string> const& words, std::set<std::string_view> const& known) {
    arguments args;
    for (std::size_t i = 0; i < words.size(); ++i) {
        auto const& word = words[i];
        if (word.size() > 2 && word.starts_with("--")) {
            if (!known.contains(word)) throw usage_error("unknown option " + word);
            if (i + 1 >= words.size()) throw usage_error(word + " needs a value");
            args.flags[word] = words[++i];
        } else {
            args.positionals.push_back(word);
        }
    }
    return args;
}

/// Opens the ledger in --data for commands that only read stored bytes (verify, export,
/// backup, stats, replay): they never unwrap a key, so they need no key-encryption key, and
/// they take no writer lock, so they run beside a server. `writes`: the command appends, so it
/// takes the directory's writer lock and fails (exit 1) while a server or another writer
/// holds it.
store::event_store open_store(arguments const& args, bool writes = false) {
    return store::event_store({.directory = args.required("--data"),
                               .policy = std::make_shared<app::domain_policy>(),
                               .writer = writes});
}

/// The ledger for commands that seal personal data (demo, import): with its key-encryption
/// key (--kek, the credential, or DIR.kek, made for a new ledger), checked before opening.
struct sealing_store {
    explicit sealing_store(arguments const& args)
        : keys(app::open_personal_data_keys(args.required("--data"), args.optional("--kek"), true)),
          store({.directory = args.required("--data"),
                 .policy = std::make_shared<app::domain_policy>(),
                 .seal = std::make_shared<app::personal_data_sealer>(keys.keys)}) {}
    app::personal_data_keys keys;  // first: the lock outlives the store
    store::event_store store;
};

int verify(arguments const& args) {
    auto store = open_store(args);
    // The Merkle tree (docs/audit.md) is checked on a second thread while the chain is walked.
    bool const has_tree = store.tree_size() == store.head().events;
    auto tree = std::async(std::launch::async, [&] {
        return has_tree ? store.verify_tree() : std::nullopt;
    });
    auto const report = store.verify(/*check_indexes=*/true);
    auto const tree_problem = tree.get();
    if (!report.ok) {
        std::fprintf(stderr, "verify: FAILED at position %llu: %s\n",
                     static_cast<unsigned long long>(report.first_bad_position.value_or(0)),
                     report.problem.c_str());
        return exit_failure;
    }
    // The Merkle tree (docs/audit.md): every stored node recomputed from the log.
    // A ledger last written by a build without the tree gets it when a writer next opens it.
    if (!has_tree) {
        std::printf("ok: %llu events, head hash %s (no Merkle tree yet: a writer builds it when it opens the ledger)\n",
                    static_cast<unsigned long long>(report.events), to_hex(report.head.hash).c_str());
        return exit_ok;
    }
    if (tree_problem) {
        std::fprintf(stderr, "verify: FAILED at position %llu: %s\n", static_cast<unsigned long long>(tree_problem->first),
                     tree_problem->second.c_str());
        return exit_failure;
    }
    std::printf("ok: %llu events, head hash %s, Merkle root %s\n", static_cast<unsigned long long>(report.events),
                to_hex(report.head.hash).c_str(), to_hex(store.tree_root(store.tree_size())).c_str());
    return exit_ok;
}

int export_command(arguments const& args) {
    auto store = open_store(args);
    cli::progress_bar bar("export");
    std::ios::sync_with_stdio(false);
    app::export_events(store, args.number("--from-position").value_or(0), std::cout,
                       [&](std::uint64_t done, std::uint64_t total) { bar.update(done, total); });
    std::cout.flush();
    return std::cout ? exit_ok : exit_failure;
}

int import_command(arguments const& args) {
    if (args.positionals.size() != 1) throw usage_error("import needs one FILE (or - for stdin)");
    sealing_store ledger(args);
    auto& store = ledger.store;
    std::ifstream file;
    auto const& name = args.positionals.front();
    if (name != "-") {
        file.open(name);
        if (!file) throw std::runtime_error("cannot read " + name);
    }
    cli::progress_bar bar("import");
    auto const report = app::import_events(store, name == "-" ? std::cin : file,
                                           [&](std::uint64_t done, std::uint64_t total) { bar.update(done, total); });
    if (!report) {
        std::fprintf(stderr, "import: %s: %s\n", std::string(to_string(report.error().code)).c_str(),
                     report.error().message.c_str());
        return exit_failure;
    }
    std::fprintf(stderr, "import: %llu events read, %llu appended, %llu already present\n",
                 static_cast<unsigned long long>(report->lines), static_cast<unsigned long long>(report->appended),
                 static_cast<unsigned long long>(report->already_recorded));
    return exit_ok;
}

int backup(arguments const& args) {
    std::filesystem::path const target = args.required("--to");
    if (std::filesystem::exists(target) && !std::filesystem::is_empty(target)) {
        throw usage_error("--to " + target.string() + " must be a new or empty directory");
    }
    {
        // LMDB's own hot copy: a consistent snapshot while writers go on, free pages dropped.
        auto store = open_store(args);
        std::filesystem::create_directories(target);
        store.environment().copy_compacted(target);
    }
    store::event_store copy({.directory = target});
    auto const report = copy.verify();
    if (!report.ok) {
        std::fprintf(stderr, "backup: the copy does not verify at position %llu\n",
                     static_cast<unsigned long long>(report.first_bad_position.value_or(0)));
        return exit_failure;
    }
    std::printf("backup: %llu events copied to %s and verified, head hash %s\n",
                static_cast<unsigned long long>(report.events), target.c_str(), to_hex(report.head.hash).c_str());
    return exit_ok;
}

int stats(arguments const& args) {
    auto store = open_store(args);
    auto const s = store.stats();
    auto const head = store.head();
    std::printf("events             %llu\nstreams            %llu\nprojection records %llu\n"
                "file size          %llu bytes\nmap size           %llu bytes\nhead hash          %s\n",
                static_cast<unsigned long long>(s.events), static_cast<unsigned long long>(s.streams),
                static_cast<unsigned long long>(s.projection_records),
                static_cast<unsigned long long>(s.file_size), static_cast<unsigned long long>(s.map_size),
                to_hex(head.hash).c_str());
    return exit_ok;
}

int demo(arguments const& args) {
    sealing_store ledger(args);
    auto& store = ledger.store;
    demo::demo_options const options{args.number("--events").value_or(20'000), args.number("--seed").value_or(42)};
    cli::progress_bar bar("demo");
    auto const appended = demo::load(store, options, [&](std::uint64_t done, std::uint64_t total) { bar.update(done, total); });
    std::fprintf(stderr, "demo: %llu events in the ledger at %s (seed %llu)\n",
                 static_cast<unsigned long long>(appended), args.required("--data").c_str(),
                 static_cast<unsigned long long>(options.seed));
    std::fprintf(stderr, "demo: serve it with `recruit-ledgerd --data %s` and open the dashboard at "
                         "http://127.0.0.1:8080/\n", args.required("--data").c_str());
    return exit_ok;
}

int replay(arguments const& args) {
    auto const format = args.optional("--format").value_or("json");
    if (format != "json" && format != "csv") throw usage_error("--format is json or csv");
    app::projection_query query{.name = args.required("--projection")};
    query.as_of_position = args.number("--as-of-position");
    if (auto const as_of = args.optional("--as-of")) {
        query.as_of = parse_timestamp(*as_of);
        if (!query.as_of) throw usage_error("--as-of needs an RFC 3339 time, e.g. 2024-12-31T23:59:59Z");
    }
    auto store = open_store(args);
    app::projection_runner projections(store);
    // The live model resumes from its snapshot and folds the tail; let it finish first.
    if (!projections.wait_until_caught_up(std::chrono::hours(1))) throw std::runtime_error("read models did not catch up");
    auto const table = projections.query(query);
    if (!table) {
        if (table.error().code == error_code::projection_not_found || table.error().code == error_code::bad_request) {
            throw usage_error(table.error().message);
        }
        throw std::runtime_error(table.error().message);
    }
    // The same bytes the server answers for GET /v1/projections/{name}.
    if (format == "csv") {
        std::fputs(app::to_csv(*table).c_str(), stdout);
    } else {
        std::printf("%s\n", to_json_text(app::to_json(*table)).c_str());
    }
    return exit_ok;
}

int token(arguments const& args) {
    if (args.positionals.size() != 3 || args.positionals[0] != "add") {
        throw usage_error("usage: token add --tokens FILE NAME ROLE");
    }
    auto const granted = app::parse_role(args.positionals[2]);
    if (!granted) throw usage_error("ROLE is one of reader, writer, auditor, recruiter, admin");
    auto const token = app::add_token(args.required("--tokens"), args.positionals[1], *granted);
    if (!token) throw usage_error(token.error().message);
    std::printf("%s\n", token->c_str());  // shown once: only its hash is stored
    return exit_ok;
}

int keys(arguments const& args) {
    auto const action = args.positionals.size() == 1 ? args.positionals[0] : std::string();
    if (action == "init") {
        std::filesystem::path const file = args.required("--kek");
        auto const kek = app::key_encryption_key::create(file);
        std::printf("keys: a new key-encryption key is in %s (mode 0600, KEK id %s); keep it "
                    "outside the data directory and apart from its backups\n",
                    file.c_str(), kek.id_hex().c_str());
        return exit_ok;
    }
    if (action == "check") {
        auto const id = app::check_kek(args.required("--data"), args.required("--kek"));
        std::printf("keys: KEK id %s opens the ledger at %s\n", id.c_str(), args.required("--data").c_str());
        return exit_ok;
    }
    if (action == "rotate") {
        auto const data = args.required("--data");
        auto const rewrapped = app::rotate_kek(data, args.required("--kek"), args.required("--new-kek"));
        auto const kek = app::key_encryption_key::load(args.required("--new-kek"), data);
        std::printf("keys: %llu candidate keys of %s are wrapped under KEK id %s; the old key "
                    "opens nothing in this ledger now (destroy it to make older copies unreadable)\n",
                    static_cast<unsigned long long>(rewrapped), data.c_str(), kek.id_hex().c_str());
        return exit_ok;
    }
    throw usage_error("keys init --kek FILE | keys check --data DIR --kek FILE | "
                      "keys rotate --data DIR --kek OLD --new-kek NEW");
}

/// Prints the OpenAPI 3.1 document the server serves at /v1/openapi.json.
int openapi(arguments const&) {
    std::printf("%s\n", ledger::to_json_text(http::openapi_document()).c_str());
    return exit_ok;
}

// SPEC §12: makes a stopped, caught-up follower the leader (docs/replication.md, failover).
int promote(arguments const& args) {
    try {
        auto const done = replication::promote(args.required("--data"), args.optional("--nats"),
                                               args.optional("--replication-stream"));
        std::fputs(done.c_str(), stdout);
        return exit_ok;
    } catch (std::runtime_error const& refused) {
        if (dynamic_cast<usage_error const*>(&refused) != nullptr) throw;
        std::fprintf(stderr, "promote: not promoted: %s\n", refused.what());
        return exit_failure;
    }
}

struct command {
    std::string_view name;
    std::string_view usage;
    std::set<std::string_view> flags;
    std::function<int(arguments const&)> run;
};

std::vector<command> const& commands() {
    static std::vector<command> const table{
        {"serve", "serve --data DIR --listen HOST:PORT [--threads N] [--log-level LEVEL] (as recruit-ledgerd)", {}, nullptr},
        {"verify", "verify --data DIR", {"--data"}, verify},
        {"export", "export --data DIR [--from-position N]", {"--data", "--from-position"}, export_command},
        {"import", "import --data DIR [--kek FILE] FILE|-", {"--data", "--kek"}, import_command},
        {"backup", "backup --data DIR --to DIR2", {"--data", "--to"}, backup},
        {"replay", "replay --data DIR --projection NAME [--as-of-position N|--as-of T] [--format json|csv]",
         {"--data", "--projection", "--as-of-position", "--as-of", "--format"}, replay},
        {"stats", "stats --data DIR", {"--data"}, stats},
        {"demo", "demo --data DIR [--kek FILE] [--events N] [--seed S]", {"--data", "--kek", "--events", "--seed"}, demo},
        {"token", "token add --tokens FILE NAME ROLE", {"--tokens"}, token},
        {"keys", "keys init --kek FILE | keys check --data DIR --kek FILE | keys rotate --data DIR --kek OLD --new-kek NEW",
         {"--kek", "--new-kek", "--data"}, keys},
        {"openapi", "openapi (prints the API's OpenAPI 3.1 document)", {}, openapi},
        {"audit", "audit keygen --key FILE [--name NAME] | audit prove --data DIR --position N [--tree-size S] "
                  "[--signing-key FILE] | audit check BUNDLE --key VERIFIER_KEY | audit extend --server URL "
                  "--checkpoint FILE --key VERIFIER_KEY [--token T] [--ca FILE] [--out FILE]",
         {"--key", "--name", "--data", "--position", "--tree-size", "--signing-key", "--server", "--checkpoint", "--token", "--ca", "--out"},
         [](arguments const& args) {
             try {
                 return cli::audit_command(args.flags, args.positionals);
             } catch (std::invalid_argument const& e) {
                 throw usage_error(e.what());
             }
         }},
        {"promote", "promote --data DIR [--nats nats://HOST:PORT[,...]] [--replication-stream NAME]",
         {"--data", "--nats", "--replication-stream"}, promote},
    };
    return table;
}

void print_usage(std::FILE* to) {
    std::fprintf(to, "usage: recruit-ledger COMMAND [options] | --version | --help\n\ncommands:\n");
    for (auto const& c : commands()) std::fprintf(to, "  %.*s\n", static_cast<int>(c.usage.size()), c.usage.data());
}

}  // namespace

int main(int argc, char** argv) {
    // Log lines (warnings only) go to stderr: stdout carries exports and tokens.
    spdlog::set_default_logger(spdlog::stderr_color_mt("recruit-ledger"));
    spdlog::set_level(spdlog::level::warn);
    std::vector<std::string> words(argv + 1, argv + argc);
    if (!words.empty() && words[0] == "--version") {
        std::printf("recruit-ledger %s (commit %s)\n", ledger::build_version().data(), ledger::build_commit().data());
        return exit_ok;
    }
    if (words.empty() || words[0] == "--help" || words[0] == "-h") {
        print_usage(words.empty() ? stderr : stdout);
        return words.empty() ? exit_usage : exit_ok;
    }
    auto const found = std::find_if(commands().begin(), commands().end(),
                                    [&](command const& c) { return c.name == words[0]; });
    if (found == commands().end()) {
        std::fprintf(stderr, "recruit-ledger: unknown command %s\n", words[0].c_str());
        print_usage(stderr);
        return exit_usage;
    }
    words.erase(words.begin());
    if (found->name == "serve") return http::server_main(words);  // the server parses its own flags
    if (std::find(words.begin(), words.end(), "--help") != words.end()) {
        std::printf("usage: recruit-ledger %.*s\n", static_cast<int>(found->usage.size()), found->usage.data());
        return exit_ok;
    }
    try {
        return found->run(parse(words, found->flags));
    } catch (app::key_refusal const& e) {
        std::fprintf(stderr, "recruit-ledger %.*s: %s\n", static_cast<int>(found->name.size()),
                     found->name.data(), e.what());
        return exit_failure;
    } catch (usage_error const& e) {
        std::fprintf(stderr, "recruit-ledger %.*s: %s\nusage: recruit-ledger %.*s\n",
                     static_cast<int>(found->name.size()), found->name.data(), e.what(),
                     static_cast<int>(found->usage.size()), found->usage.data());
        return exit_usage;
    } catch (std::exception const& e) {
        std::fprintf(stderr, "recruit-ledger %.*s: %s\n", static_cast<int>(found->name.size()),
                     found->name.data(), e.what());
        return exit_failure;
    }
}
