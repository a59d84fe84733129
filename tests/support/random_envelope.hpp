#pragma once
// Random envelopes for the log codec's tests: text with unicode, JSON escapes and control bytes,
// optional fields, far and near times, incompressible data.

#include "ledger/envelope.hpp"
#include "ledger/time.hpp"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace ledger::testing {

/// Pieces random envelopes are made of: text with unicode, JSON escapes and control bytes.
inline std::string random_text(std::mt19937_64& random, std::size_t max_size) {
    static std::vector<std::string> const pieces{"a",    "Z",     "-",      "0",    "é",       "ß",  "😀",
                                                 "\\n",  "\\\"",  "\\u2028", "\"",   "{\"k\":", "}",  "\n",
                                                 "\t",   "Jönköping", "本", std::string(1, '\0'), "\x7f", " "};
    std::string out;
    auto const size = std::uniform_int_distribution<std::size_t>(0, max_size)(random);
    while (out.size() < size) out += pieces[random() % pieces.size()];
    return out;
}

inline recorded_event random_envelope(std::mt19937_64& random) {
    recorded_event e;
    auto const pick = [&](std::uint64_t n) { return random() % n; };
    e.position = pick(4) == 0 ? random() : pick(1'000'000);
    e.stream = "candidate-" + random_text(random, 40);
    e.version = pick(4) == 0 ? random() : pick(100);
    for (auto& byte : e.id.data) byte = static_cast<std::uint8_t>(random());
    e.type = pick(3) == 0 ? random_text(random, 30) : "InterviewBooked";
    e.schema_version = static_cast<std::uint16_t>(random());
    auto const micros = [&] { return pick(3) == 0 ? static_cast<std::int64_t>(random()) : 1'700'000'000'000'000 + static_cast<std::int64_t>(pick(1'000'000'000)); };
    e.occurred_at = from_micros(micros());
    e.recorded_at = from_micros(micros());  // earlier, later, or far from occurred_at
    e.actor = random_text(random, 12);
    if (pick(2) == 0) e.correlation_id = random_text(random, 20);
    if (pick(2) == 0) e.causation_id = random_text(random, 20);
    e.data = pick(3) == 0 ? std::string() : random_text(random, 300);
    if (pick(4) == 0) {
        for (std::size_t i = 0; i < 64; ++i) e.data.push_back(static_cast<char>(random()));  // incompressible
    }
    e.metadata = pick(2) == 0 ? std::string() : "{\"note\":\"" + random_text(random, 60) + "\"}";
    for (auto& byte : e.hash) byte = static_cast<std::uint8_t>(random());
    return e;
}

}  // namespace ledger::testing
