#pragma once
// A fixed key-encryption key and the personal data seal built on it, for tests that open a
// store in process (the server and the CLI find their KEK through open_personal_data_keys).

#include "ledger/app/key_encryption_key.hpp"
#include "ledger/app/personal_data.hpp"
#include "ledger/app/subject_key_cache.hpp"

#include <memory>
#include <string>

namespace ledger::testing {

/// The tests' KEK: 32 bytes of 0x4b.
inline std::shared_ptr<app::key_encryption_key const> test_kek(char fill = 'K') {
    return std::make_shared<app::key_encryption_key const>(std::string(app::kek_size, fill));
}

/// A sealer wrapping candidate keys under test_kek(fill).
inline std::shared_ptr<app::personal_data_sealer> test_sealer(char fill = 'K') {
    return std::make_shared<app::personal_data_sealer>(
        std::make_shared<app::subject_key_cache const>(test_kek(fill)));
}

}  // namespace ledger::testing
