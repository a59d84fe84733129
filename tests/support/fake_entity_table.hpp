#pragma once
// The store's `projections` table as table-backed read models see it (entity_table.hpp), in
// memory, for fold-level tests: what commits made (reads see only that), and a group
// transaction that commits or is thrown away. Threading: one test thread.

#include "projections/entity_table.hpp"

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ledger::testing {

/// The store's `projections` table as the entity tables see it, in memory: what commits made
/// (reads see only that), and a group transaction that commits or is thrown away.
struct fake_table {
    std::map<std::string, std::string, std::less<>> committed;
};

class fake_reader final : public projections::entity_reader {
public:
    explicit fake_reader(fake_table& table) : table_(table) {}
    std::optional<std::string_view> get(std::string_view key) override {
        auto const found = table_.committed.find(key);
        if (found == table_.committed.end()) return std::nullopt;
        return std::string_view(found->second);
    }
    void scan(std::string_view from, std::string_view prefix,
              std::function<bool(std::string_view, std::string_view)> const& visit) override {
        for (auto e = table_.committed.lower_bound(from); e != table_.committed.end() && e->first.starts_with(prefix); ++e) {
            if (!visit(e->first, e->second)) return;
        }
    }
    void release() override {}

private:
    fake_table& table_;
};

class fake_transaction final : public projections::entity_writer {
public:
    explicit fake_transaction(fake_table& table) : table_(table) {}
    void put(std::string_view key, std::string_view value) override { staged_[std::string(key)] = std::string(value); }
    std::size_t erase_prefix(std::string_view prefix, std::size_t limit) override {
        std::size_t erased = 0;
        for (auto e = table_.committed.lower_bound(prefix); e != table_.committed.end() && e->first.starts_with(prefix) && erased < limit; ++e) {
            if (staged_.contains(e->first) && !staged_.at(e->first)) continue;
            staged_[e->first] = std::nullopt;
            ++erased;
        }
        return erased;
    }
    void commit() {
        for (auto& [key, value] : staged_) {
            if (value) table_.committed[key] = *value;
            else table_.committed.erase(key);
        }
    }

private:
    fake_table& table_;
    std::map<std::string, std::optional<std::string>> staged_;
};

}  // namespace ledger::testing
