#pragma once
// read_model for any value type `Model` shaped like recruits_per_campaign: static name,
// description, code_version, columns and reads(); apply(), rows(), serialize(), operator==.

#include "ledger/detail/binary_archive.hpp"
#include "ledger/envelope_codec.hpp"
#include "projections/detail/applications.hpp"
#include "projections/entity_table.hpp"
#include "projections/read_model.hpp"

#include <memory>
#include <string>
#include <vector>


namespace ledger::projections::detail {

template <class Model>
class model_of final : public read_model {
public:
    std::string_view name() const noexcept override { return Model::name; }
    std::string_view description() const noexcept override { return Model::description; }
    std::uint32_t code_version() const noexcept override { return Model::code_version; }
    std::vector<std::string> columns() const override {
        return {Model::columns.begin(), Model::columns.end()};
    }
    bool reads(std::string_view type) const noexcept override { return Model::reads(type); }
    void apply(fold_event const& event) override { state_.apply(event); }
    boost::json::array rows() const override { return state_.rows(); }
    void render(row_sink& sink) const override {
        if constexpr (requires { state_.render(sink); }) state_.render(sink);
        else read_model::render(sink);
    }
    void render_part(row_sink& sink, std::size_t part, std::size_t parts) const override {
        if constexpr (requires { state_.render_part(sink, part, parts); }) state_.render_part(sink, part, parts);
        else read_model::render_part(sink, part, parts);
    }
    bool renders_only_where(std::string_view column) const noexcept override {
        if constexpr (requires { Model::renders_only_where(column); }) return Model::renders_only_where(column);
        else return false;
    }

    std::string save() const override {
        std::string out;
        ledger::detail::string_output_archive archive(out);
        archive(state_);
        return out;
    }

    void load(std::string_view bytes) override {
        Model loaded;
        decode(bytes, [&](auto& archive) { archive(loaded); });
        if constexpr (table_capable) {
            // A table-backed model keeps its table: the loaded entities move into it.
            if (state_.entity_table().in_table()) loaded.entity_table().move_into_table_of(state_.entity_table());
        }
        state_ = std::move(loaded);
    }

    bool can_keep_entities_in_table() const noexcept override { return table_capable; }
    bool keeps_entities_in_table() const noexcept override {
        if constexpr (table_capable) return state_.entity_table().in_table();
        return false;
    }

    void keep_entities_in_table(std::shared_ptr<entity_reader> reader, std::uint32_t epoch,
                                std::vector<std::uint32_t> stale) override {
        if constexpr (table_capable) {
            Model empty;
            empty.entity_table().keep_in_table(std::move(reader), Model::name, epoch, std::move(stale));
            state_ = std::move(empty);
        } else {
            read_model::keep_entities_in_table(std::move(reader), epoch, std::move(stale));
        }
    }

    void restart_in_table() override {
        if constexpr (table_capable) {
            auto const& table = state_.entity_table();
            auto stale = table.stale_epochs();
            stale.push_back(table.epoch());
            auto reader = table.reader();
            auto const epoch = table.next_epoch();
            if (reader) reader->release();
            keep_entities_in_table(std::move(reader), epoch, std::move(stale));
        } else {
            read_model::restart_in_table();
        }
    }

    std::string save_table_state() const override {
        if constexpr (table_capable) {
            std::string out;
            ledger::detail::string_output_archive archive(out);
            state_.entity_table().save_table_header(archive);
            state_.save_counted(archive);
            return out;
        }
        return read_model::save_table_state();
    }

    void load_table_state(std::string_view bytes, std::shared_ptr<entity_reader> reader) override {
        if constexpr (table_capable) {
            Model loaded;
            loaded.entity_table().keep_in_table(std::move(reader), Model::name, 0, {});
            decode(bytes, [&](auto& archive) {
                loaded.entity_table().load_table_header(archive);
                loaded.load_counted(archive);
            });
            state_ = std::move(loaded);
        } else {
            read_model::load_table_state(bytes, std::move(reader));
        }
    }

    bool flush_entities(entity_writer& writer, std::size_t limit) override {
        if constexpr (table_capable) return state_.entity_table().flush(writer, limit);
        return read_model::flush_entities(writer, limit);
    }

    void settle_entities() override {
        if constexpr (table_capable) {
            state_.entity_table().settle();
            state_.entity_table().release_reads();
        } else {
            read_model::settle_entities();
        }
    }

    void release_entity_reads() override {
        if constexpr (table_capable) state_.entity_table().release_reads();
    }

    std::uint64_t entity_reads() const noexcept override {
        if constexpr (table_capable) return state_.entity_table().reads();
        return 0;
    }

    std::size_t cached_entities() const noexcept override {
        if constexpr (table_capable) return state_.entity_table().cached_entries();
        return 0;
    }

    std::string save_without_table() const override {
        if constexpr (requires { state_.table(); }) {
            std::string out;
            ledger::detail::string_output_archive archive(out);
            state_.save_own(archive);
            return out;
        }
        return save();
    }

    void load_with_table(std::string_view bytes, std::shared_ptr<application_table> const& table) override {
        if constexpr (requires { state_.table(); }) {
            if (table == nullptr) throw codec_error("no application table to load " + std::string(Model::name) + " with");
            Model loaded;
            decode(bytes, [&](auto& archive) { loaded.load_own(archive); });
            loaded.use_table(table);
            state_ = std::move(loaded);
        } else {
            load(bytes);
        }
    }

    std::unique_ptr<read_model> fresh() const override { return std::make_unique<model_of>(); }

    bool same_state(read_model const& other) const override {
        auto const* same_kind = dynamic_cast<model_of const*>(&other);
        return same_kind != nullptr && same_kind->state_ == state_;
    }

    std::shared_ptr<application_table> shared_table() const override {
        if constexpr (requires { state_.table(); }) return state_.table();
        return nullptr;
    }

    bool adopt_table(std::shared_ptr<application_table> const& table) override {
        if constexpr (requires { state_.use_table(table); }) {
            if (table == nullptr || !(*table == *state_.table())) return false;
            state_.use_table(table);
            return true;
        }
        return false;
    }

private:
    static constexpr bool table_capable = requires(Model& m) { m.entity_table(); };

    template <class Read>
    static void decode(std::string_view bytes, Read&& read) {
        try {
            ledger::detail::memory_input_archive archive(bytes);
            read(archive);
            ledger::detail::expect_consumed(archive, "snapshot");
        } catch (std::exception const& e) {
            throw codec_error(std::string("cannot decode a snapshot of ") + std::string(Model::name) +
                              ": " + e.what());
        }
    }

    Model state_;
};

}  // namespace ledger::projections::detail
