// log-dictionary: makes and measures the zstd dictionary of the log's format-5 values
// (docs/storage.md "Format 4"). Not installed; the build never runs it.
//
//   log-dictionary train   --data DIR --out FILE [--events N] [--size BYTES] [--templates 1]
//       trains a dictionary from the canonical bytes (--templates 1: format 5's templates) of the
//       first N events (default 20,000) of the ledger in DIR, BYTES large (default 65,536), with
//       zstd's default trainer.
//   log-dictionary measure --data DIR --dictionary FILE [--level L] [--events N]
//       (L may be negative: zstd's fast levels)
//       encodes the stored bytes of every event (or the first N) as format 5 would with that
//       dictionary and prints the bytes and the time per event both ways, checking each value
//       decodes to the same bytes.
//
// Opens the ledger read-only (no writer lock). Exit codes: 0 ok, 1 failure, 2 usage.

#include "detail/canonical_split.hpp"
#include "detail/log_values.hpp"

#include "ledger/envelope_codec.hpp"
#include "ledger/store/event_store.hpp"

#include <zdict.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

namespace {

using namespace ledger;
using clock_type = std::chrono::steady_clock;

std::map<std::string, std::string> flags_of(int argc, char** argv) {
    std::map<std::string, std::string> flags;
    for (int i = 2; i + 1 < argc; i += 2) flags[argv[i]] = argv[i + 1];
    return flags;
}

std::uint64_t number_or(std::map<std::string, std::string> const& flags, std::string const& flag, std::uint64_t fallback) {
    auto const found = flags.find(flag);
    return found == flags.end() ? fallback : std::stoull(found->second);
}

store::event_store open_ledger(std::string const& data) {
    return store::event_store({.directory = data, .writer = false});
}

int train(std::map<std::string, std::string> const& flags) {
    auto const events = number_or(flags, "--events", 20'000);
    auto const size = number_or(flags, "--size", 65'536);
    auto store = open_ledger(flags.at("--data"));
    std::string samples;
    std::vector<std::size_t> sizes;
    bool const templates = flags.contains("--templates") && flags.at("--templates") == "1";
    store.scan(0, [&](recorded_event const& e) {
        auto canonical = encode_canonical(e);
        if (templates) {  // format 5 compresses the template (detail/canonical_split.hpp)
            auto const parts = store::detail::split_canonical(canonical);
            if (!parts) return true;
            canonical = std::string(parts->head) + std::string(parts->middle) + std::string(parts->tail);
        }
        samples += canonical;
        sizes.push_back(canonical.size());
        return sizes.size() < events;
    });
    std::string dictionary(size, '\0');
    auto const made = ZDICT_trainFromBuffer(dictionary.data(), dictionary.size(), samples.data(), sizes.data(),
                                            static_cast<unsigned>(sizes.size()));
    if (ZDICT_isError(made)) {
        std::fprintf(stderr, "log-dictionary: training failed: %s\n", ZDICT_getErrorName(made));
        return 1;
    }
    dictionary.resize(made);
    std::ofstream(flags.at("--out"), std::ios::binary) << dictionary;
    std::printf("trained a %zu-byte dictionary from %zu events (%zu bytes of canonical envelopes)\n", made,
                sizes.size(), samples.size());
    return 0;
}

int measure(std::map<std::string, std::string> const& flags) {
    std::ifstream in(flags.at("--dictionary"), std::ios::binary);
    std::string const dictionary((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto const level_flag = flags.find("--level");
    int const level = level_flag == flags.end() ? store::detail::log_values::default_level : std::stoi(level_flag->second);
    auto const limit = number_or(flags, "--events", ~std::uint64_t{0});
    auto const codec = store::detail::log_values::with_dictionaries({{1, dictionary}}, level);  // format 5 (split)
    auto store = open_ledger(flags.at("--data"));
    std::uint64_t events = 0, stored_bytes = 0, value_bytes = 0, plain = 0;
    clock_type::duration encoding{}, decoding{};
    std::string value, scratch;
    bool same = true;
    store.scan(0, [&](recorded_event const& e) {
        auto const stored = encode_stored(e);
        auto const started = clock_type::now();
        auto const encoded = codec->encode(e.position, stored, value);
        auto const middle = clock_type::now();
        auto const decoded = codec->decode(e.position, encoded, scratch);
        decoding += clock_type::now() - middle;
        encoding += middle - started;
        same = same && decoded == stored;
        stored_bytes += stored.size();
        value_bytes += encoded.size();
        if (encoded.front() == '\0') ++plain;
        return ++events < limit;
    });
    auto const per_event = [&](clock_type::duration d) {
        return std::chrono::duration<double, std::micro>(d).count() / static_cast<double>(events ? events : 1);
    };
    std::printf("events %llu, level %d, dictionary %zu bytes\nstored bytes  %.1f per event\nlog values    %.1f per event "
                "(%.3f of stored; %llu left uncompressed)\nencode %.2f us/event, decode %.2f us/event, round trip %s\n",
                static_cast<unsigned long long>(events), level, dictionary.size(),
                static_cast<double>(stored_bytes) / static_cast<double>(events ? events : 1),
                static_cast<double>(value_bytes) / static_cast<double>(events ? events : 1),
                static_cast<double>(value_bytes) / static_cast<double>(stored_bytes ? stored_bytes : 1),
                static_cast<unsigned long long>(plain), per_event(encoding), per_event(decoding), same ? "ok" : "DIFFERS");
    return same ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    std::string const command = argc > 1 ? argv[1] : "";
    try {
        auto const flags = flags_of(argc, argv);
        if (command == "train" && flags.contains("--data") && flags.contains("--out")) return train(flags);
        if (command == "measure" && flags.contains("--data") && flags.contains("--dictionary")) return measure(flags);
    } catch (std::exception const& e) {
        std::fprintf(stderr, "log-dictionary: %s\n", e.what());
        return 1;
    }
    std::fprintf(stderr, "usage: log-dictionary train --data DIR --out FILE [--events N] [--size BYTES]\n"
                         "       log-dictionary measure --data DIR --dictionary FILE [--level L] [--events N]\n");
    return 2;
}
