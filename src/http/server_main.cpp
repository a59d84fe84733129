// The server's entry point, shared by recruit-ledgerd and `recruit-ledger serve`.

#include "detail/log_format.hpp"

#include "ledger/app/authenticator.hpp"
#include "ledger/app/domain_policy.hpp"
#include "ledger/app/kek_rotation.hpp"
#include "ledger/app/personal_data.hpp"
#include "ledger/app/personal_data_keys.hpp"
#include "ledger/app/projection_runner.hpp"
#include "ledger/build_info.hpp"
#include "ledger/http/api.hpp"
#include "ledger/http/audit_witness.hpp"
#include "ledger/http/command_line.hpp"
#include "ledger/http/server.hpp"
#include "ledger/replication/replication.hpp"
#include "ledger/store/event_store.hpp"
#include "ledger/store/merkle_note.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

namespace {

/// Exit codes of server_main.
constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

/// The authenticator for options.tokens, or the exit code after logging why the server cannot
/// start: an unreadable or malformed file is a failure (1), a file without tokens a usage
/// error (2), since nobody could use the API. Without --tokens, warns that anyone on this host
/// acts as admin.
std::variant<ledger::app::authenticator, int> load_authenticator(ledger::http::server_options const& options) {
    if (!options.tokens) {
        spdlog::warn("no --tokens: every request acts as 'local' with admin rights, so the server "
                     "listens on loopback ({}) only", options.host);
        return ledger::app::authenticator{};
    }
    std::vector<ledger::app::token_entry> tokens;
    try {
        tokens = ledger::app::read_tokens_file(*options.tokens);
    } catch (std::exception const& failure) {
        spdlog::error("not starting: {}", failure.what());
        return exit_failure;
    }
    if (tokens.empty()) {
        spdlog::error("not starting: {} holds no tokens, so nobody could use the API "
                      "(add one with: recruit-ledger token add --tokens FILE NAME ROLE)",
                      options.tokens->string());
        return exit_usage;
    }
    spdlog::info("{} tokens loaded from {}", tokens.size(), options.tokens->string());
    return ledger::app::authenticator(std::move(tokens));
}

/// The key that signs audit checkpoints: --signing-key, else DIR/audit-signing.key, made on
/// first start (mode 0600). Logs the verifier key auditors need (docs/audit.md).
ledger::store::merkle::signing_key load_signing_key(ledger::http::server_options const& options) {
    using namespace ledger::store::merkle;
    if (options.signing_key) {
        auto key = read_private_key(*options.signing_key);
        spdlog::info("audit checkpoints are signed with {}; verifier key: {}", options.signing_key->string(), verifier_text(key));
        return key;
    }
    auto const file = options.data / "audit-signing.key";
    bool created = false;
    auto key = load_or_create_key(file, "recruitment-ledger", created);
    spdlog::info("audit checkpoints are signed with {} ({}); verifier key: {}", file.string(),
                 created ? "made now" : "made earlier", verifier_text(key));
    return key;
}

int serve(ledger::http::server_options const& options, ledger::app::authenticator authenticator) {
    using namespace ledger;
    store::store_options store_options;
    store_options.directory = options.data;
    store_options.policy = std::make_shared<app::domain_policy>();  // SPEC §5 rules at append
    // SPEC §6 privacy: refuses (key_refusal) before the store opens when the KEK is missing
    // or wrong; the lock keeps a key rotation away while the server runs.
    auto const keys = app::open_personal_data_keys(options.data, options.kek, /*may_create=*/true, options.new_kek);
    store_options.seal = std::make_shared<app::personal_data_sealer>(keys.keys);
    store_options.max_queued_appends = options.max_queued_appends;
    store::event_store store(store_options);
    // Resumes from snapshots, then folds live.
    app::projection_runner projections(
        store, {.snapshot_every = options.snapshot_every,
                .checkpoints = {.every = options.checkpoint_every,
                                .chunk_bits = options.checkpoint_chunk_bits,
                                .compression_level = options.checkpoint_compression_level,
                                .compress_table = options.checkpoint_compress_table}});
    http::metrics metrics;
    http::api api{store, &projections, metrics, options.body_limit, std::move(authenticator)};
    api.page_bytes = options.page_bytes;
    api.scan_events = options.scan_events;
    auto const audit_key = load_signing_key(options);
    http::audit_witness witness(store, audit_key, options.witness_every, options.witness_interval,
                                options.data / "audit-checkpoints.jsonl");
    api.audit_key = &audit_key;
    // A clean stop saves every read model at the head: the next start folds nothing and
    // reads no entity at random (docs/read-models.md, "Ready after a restart").
    api.before_stop = [&projections, &options] {
        projections.save_records(std::chrono::duration_cast<std::chrono::milliseconds>(options.drain_timeout));
    };
    api.witness = &witness;
    auto replication_options = options.replication;
    if (replication_options.advertise.empty()) {
        replication_options.advertise = std::string(options.tls_cert ? "https://" : "http://") + options.host + ":" +
                                        std::to_string(options.port);
    }
    // SPEC §12: a leader publishes what the stream lacks before it serves; a follower catches
    // up in the background. Declared after the api and read models: stops before them.
    auto const replicating = replication::start(store, replication_options, options.data);
    api.replication = replicating.get();
    spdlog::info("ledger {} opened with {} events", options.data.string(), store.head().events);
    // An online KEK rotation re-wraps the candidate keys while the server serves; it stops
    // (resumably) before the store closes.
    std::optional<app::kek_rotation> rotation;
    if (keys.rotating) {
        rotation.emplace(store, keys.keys,
                         app::kek_rotation_options{options.kek_rotation_batch, options.kek_rotation_pause});
        api.extra_metrics = [&rotation] { return rotation->metrics_text(); };
    }
    http::run_server(options, api);
    rotation.reset();
    if (auto const cause = store.failure()) {
        // Fail-stop: a restart reopens the environment, and LMDB recovers the last good commit.
        spdlog::critical("exiting after a fatal storage failure: {}", *cause);
        return exit_failure;
    }
    return 0;
}

}  // namespace

namespace ledger::http {

int server_main(std::vector<std::string> const& arguments) {
    auto const parsed = parse_command_line(arguments);
    if (auto const* failure = std::get_if<usage_error>(&parsed)) {
        std::fprintf(stderr, "recruit-ledgerd: %s\n%s", failure->message.c_str(), usage().c_str());
        return exit_usage;
    }
    auto const& command = std::get<command_line>(parsed);
    if (command.help) {
        std::fputs(usage().c_str(), stdout);
        return 0;
    }
    if (command.version) {
        std::printf("recruit-ledgerd %s (commit %s)\n", build_version().data(), build_commit().data());
        return 0;
    }
    detail::configure_logging(command.options.log_format, command.options.log_level);
    if (auto const refusal = startup_refusal(command.options)) {
        spdlog::error("not starting: {}", *refusal);
        return exit_usage;
    }
    auto authenticator = load_authenticator(command.options);
    if (auto const* exit_code = std::get_if<int>(&authenticator)) return *exit_code;
    try {
        return serve(command.options, std::move(std::get<app::authenticator>(authenticator)));
    } catch (app::key_refusal const& refusal) {
        spdlog::error("not starting: {}", refusal.what());
        return exit_failure;
    } catch (std::exception const& failure) {
        spdlog::critical("recruit-ledgerd failed: {}", failure.what());
        return exit_failure;
    }
}

}  // namespace ledger::http
