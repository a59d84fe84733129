#pragma once
// read_model for any value type `Model` shaped like recruits_per_campaign: static name,
// description, code_version, columns and reads(); apply(), rows(), serialize(), operator==.

#include "ledger/detail/binary_archive.hpp"
#include "ledger/envelope_codec.hpp"
#include "projections/detail/applications.hpp"
#include "projections/read_model.hpp"


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

    std::string save() const override {
        std::string out;
        ledger::detail::string_output_archive archive(out);
        archive(state_);
        return out;
    }

    void load(std::string_view bytes) override {
        Model loaded;
        decode(bytes, [&](auto& archive) { archive(loaded); });
        state_ = std::move(loaded);
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
