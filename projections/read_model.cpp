#include "projections/read_model.hpp"

#include "projections/detail/applications.hpp"
#include "projections/detail/model_of.hpp"
#include "projections/funnel.hpp"
#include "projections/hires_vs_target.hpp"
#include "projections/origin.hpp"
#include "projections/outreach.hpp"
#include "projections/recruits_per_campaign.hpp"
#include "projections/retention.hpp"
#include "projections/vacancies.hpp"

#include <stdexcept>
#include <string>
#include <tuple>

namespace ledger::projections {
namespace {

// The one list of read models; the order is the order of GET /v1/projections.
using all_models = std::tuple<recruits_per_campaign, funnel, hires_vs_target, vacancies, outreach,
                              origin, retention>;

template <class... Model>
std::vector<std::string_view> names_of(std::tuple<Model...> const*) {
    return {Model::name...};
}

template <class... Model>
std::unique_ptr<read_model> make_of(std::string_view name, std::tuple<Model...> const*) {
    std::unique_ptr<read_model> made;
    ((made == nullptr && name == Model::name ? (made = std::make_unique<detail::model_of<Model>>(), 0) : 0),
     ...);
    return made;
}

}  // namespace

void read_model::render(row_sink& sink) const {
    auto all = rows();
    sink.expect(all.size());
    static boost::json::object const no_cells;  // rows are objects; anything else has null cells
    for (auto& row : all) {
        auto* const object = row.if_object();
        auto const verdict = sink.consider(object ? *object : no_cells);
        if (verdict == row_sink::verdict::stop) return;
        if (verdict == row_sink::verdict::take) sink.take(object ? std::move(*object) : boost::json::object());
    }
}

void read_model::render_part(row_sink& sink, std::size_t part, std::size_t /*parts*/) const {
    if (part == 0) render(sink);
}

std::vector<std::string_view> read_model_names() {
    return names_of(static_cast<all_models const*>(nullptr));
}

std::unique_ptr<read_model> make_read_model(std::string_view name) {
    return make_of(name, static_cast<all_models const*>(nullptr));
}

std::vector<std::unique_ptr<read_model>> make_all_read_models() {
    std::vector<std::unique_ptr<read_model>> models;
    for (auto const name : read_model_names()) models.push_back(make_read_model(name));
    std::shared_ptr<detail::application_table> shared;
    for (auto& model : models) {
        if (!shared) shared = model->shared_table();
        else model->adopt_table(shared);  // all empty, so equal
    }
    return models;
}

}  // namespace ledger::projections

namespace ledger::projections {

namespace {
[[noreturn]] void not_in_table(read_model const& model) {
    throw std::logic_error(std::string(model.name()) + " keeps no entities in a table");
}
}  // namespace

void read_model::keep_entities_in_table(std::shared_ptr<entity_reader>, std::uint32_t, std::vector<std::uint32_t>) {
    not_in_table(*this);
}
void read_model::restart_in_table() { not_in_table(*this); }
std::string read_model::save_table_state() const { not_in_table(*this); }
void read_model::load_table_state(std::string_view, std::shared_ptr<entity_reader>) { not_in_table(*this); }
bool read_model::flush_entities(entity_writer&, std::size_t) { not_in_table(*this); }
void read_model::settle_entities() { not_in_table(*this); }

std::uint32_t application_table_code_version() noexcept { return detail::application_table::code_version; }

std::string save_table(detail::application_table const& table) {
    std::string out;
    ledger::detail::string_output_archive archive(out);
    archive(table);
    return out;
}

std::shared_ptr<detail::application_table> load_table(std::string_view bytes) {
    auto table = std::make_shared<detail::application_table>();
    try {
        ledger::detail::memory_input_archive archive(bytes);
        archive(*table);
        ledger::detail::expect_consumed(archive, "snapshot");
    } catch (std::exception const& e) {
        throw codec_error(std::string("cannot decode a snapshot of the application table: ") + e.what());
    }
    return table;
}

namespace {

/// load_table_lazily of one run of bytes or of pieces (what memory_input_archive reads).
template <class Bytes>
std::shared_ptr<detail::application_table> table_loaded_lazily(std::shared_ptr<void const> keep, Bytes bytes) {
    auto table = std::make_shared<detail::application_table>();
    try {
        ledger::detail::memory_input_archive archive(bytes);
        table->load_lazily(archive, std::move(keep));
        ledger::detail::expect_consumed(archive, "snapshot");
    } catch (std::exception const& e) {
        throw codec_error(std::string("cannot decode a snapshot of the application table: ") + e.what());
    }
    return table;
}

}  // namespace

std::shared_ptr<detail::application_table> load_table_lazily(std::shared_ptr<void const> keep,
                                                             std::string_view bytes) {
    return table_loaded_lazily(std::move(keep), bytes);
}

std::shared_ptr<detail::application_table> load_table_lazily(std::shared_ptr<void const> keep,
                                                             std::span<std::string_view const> pieces) {
    return table_loaded_lazily(std::move(keep), pieces);
}

std::uint32_t application_table_store_code_version() noexcept {
    return detail::application_table::code_version + 0x10000;
}

std::string save_table_state(detail::application_table const& table) {
    std::string out;
    ledger::detail::string_output_archive archive(out);
    table.save_table_state(archive);
    return out;
}

void load_table_state(std::string_view bytes, detail::application_table& table) {
    try {
        ledger::detail::memory_input_archive archive(bytes);
        table.load_table_state(archive);
        ledger::detail::expect_consumed(archive, "snapshot");
    } catch (damaged_entity const&) {
        throw;
    } catch (std::exception const& e) {
        throw codec_error(std::string("cannot decode the application table's record: ") + e.what());
    }
}

}  // namespace ledger::projections
