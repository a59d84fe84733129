#pragma once

#include <cstddef>
#include <random>
#include <string>

namespace ledger::testing {

/// `size` bytes that compress (a few repeated words with random bytes between), the same for
/// the same seed: stand-ins for a checkpoint record's chunks.
inline std::string compressible(std::size_t size, unsigned seed) {
    std::mt19937 random(seed);
    char const* const words[] = {"application-", "candidate ", "2026-11-", "\x01\x00\x00\x00", "hired"};
    std::string out;
    while (out.size() < size) {
        if (random() % 3 == 0) out.push_back(static_cast<char>(random()));
        else out.append(words[random() % 5]);
    }
    out.resize(size);
    return out;
}

}  // namespace ledger::testing
