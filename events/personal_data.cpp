#include "events/personal_data.hpp"

#include "events/detail/registry.hpp"
#include "events/detail/struct_codec.hpp"

#include <algorithm>
#include <optional>
#include <type_traits>
#include <vector>

namespace ledger::events {
namespace {

template <class T>
constexpr bool lists_personal_fields() {
    return requires { T::personal_fields; };
}

template <class M>
void visit_member(M& member, std::string_view name,
                  std::function<void(std::string_view, std::string&)> const& visit) {
    if constexpr (std::is_same_v<M, std::string>) {
        visit(name, member);
    } else if constexpr (std::is_same_v<M, std::optional<std::string>>) {
        if (member) visit(name, *member);
    } else {
        static_assert(!sizeof(M*), "a personal field must be a string or an optional string");
    }
}

std::vector<std::string_view> types_with_personal_fields() {
    std::vector<std::string_view> names;
    for (auto const& entry : detail::all_types()) {
        auto const fields = entry.describe_fields();
        bool const personal = std::any_of(fields.begin(), fields.end(), [](auto const& field) {
            return field.as_object().at("personal").as_bool();
        });
        if (personal) names.push_back(entry.type_name);
    }
    return names;
}

}  // namespace

bool has_personal_fields(std::string_view type) {
    static auto const names = types_with_personal_fields();
    return std::find(names.begin(), names.end(), type) != names.end();
}

void for_each_personal_field(recruitment_event& event,
                             std::function<void(std::string_view, std::string&)> const& visit) {
    std::visit(
        [&](auto& typed) {
            using T = std::remove_cvref_t<decltype(typed)>;
            if constexpr (lists_personal_fields<T>()) {
                boost::mp11::mp_for_each<detail::described_fields<T>>([&](auto d) {
                    if constexpr (detail::is_personal_field<T>(decltype(d)::name)) {
                        visit_member(typed.*d.pointer, d.name, visit);
                    }
                });
            }
        },
        event);
}

}  // namespace ledger::events
