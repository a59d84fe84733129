#include "projections/outreach.hpp"

#include "support/fold_scenario.hpp"

#include <catch2/catch.hpp>

using namespace ledger;
using namespace ledger::events;
using ledger::testing::day;
using ledger::testing::json;

namespace {

constexpr auto brokerage = consent_purpose::contact_brokerage;

void interest(testing::fold_scenario& s, std::string const& k, std::string_view on,
              std::optional<std::string> campaign = "camp") {
    s.add("candidate-" + k, on, interest_registered{.campaign_id = std::move(campaign)});
}

void invite(testing::fold_scenario& s, std::string const& k, std::string_view on) {
    s.add("candidate-" + k, on, invited_to_meeting{.with = meeting_partner::department, .invited_on = day(on)});
}

}  // namespace

TEST_CASE("outreach counts interest, consent and invitations after the interest",
          "[projections][outreach]") {
    testing::fold_scenario s;
    s.add("candidate-k1", "2024-03-01", consent_granted{.purpose = brokerage});
    interest(s, "k1", "2024-03-01");
    invite(s, "k1", "2024-03-11");  // 10 days
    s.add("candidate-k2", "2024-03-01", consent_granted{.purpose = brokerage});
    interest(s, "k2", "2024-03-01");  // consented, not invited
    interest(s, "k3", "2024-03-01");  // no consent
    s.add("candidate-k3", "2024-03-01", consent_granted{.purpose = consent_purpose::newsletter});
    s.add("candidate-k4", "2024-03-01", consent_granted{.purpose = brokerage});
    invite(s, "k4", "2024-03-02");    // invited before the interest: does not count
    interest(s, "k4", "2024-03-05");
    interest(s, "k5", "2024-03-06", std::nullopt);
    interest(s, "k5", "2024-03-07", std::nullopt);  // counted once
    CHECK(s.rows<projections::outreach>() == json(R"([
      {"campaign_id":null,"interested":1,"interested_with_consent":0,"invited":0,"share_invited":null,
       "median_days_to_invitation":null},
      {"campaign_id":"camp","interested":4,"interested_with_consent":3,"invited":1,"share_invited":0.333,
       "median_days_to_invitation":10}
    ])"));
}

TEST_CASE("outreach drops a candidate whose consent is withdrawn or expired",
          "[projections][outreach][consent]") {
    testing::fold_scenario s;
    s.add("candidate-k1", "2024-03-01", consent_granted{.purpose = brokerage});
    interest(s, "k1", "2024-03-01");
    invite(s, "k1", "2024-03-03");
    s.add("candidate-k2", "2024-03-01", consent_granted{.purpose = brokerage, .expires_on = day("2024-06-30")});
    interest(s, "k2", "2024-03-01");
    invite(s, "k2", "2024-03-05");
    auto row = s.rows<projections::outreach>().at(0).as_object();
    CHECK(row.at("interested_with_consent") == 2);
    CHECK(row.at("invited") == 2);
    CHECK(row.at("median_days_to_invitation") == 3);
    s.add("candidate-k1", "2024-04-01", consent_withdrawn{.purpose = brokerage});
    s.add("candidate-k9", "2024-07-01", candidate_registered{.name = "later"});  // moves the clock past k2's expiry
    row = s.rows<projections::outreach>().at(0).as_object();
    CHECK(row.at("interested") == 2);
    CHECK(row.at("interested_with_consent") == 0);
    CHECK(row.at("share_invited").is_null());
}

TEST_CASE("outreach restores consent when its withdrawal is retracted and forgets a retracted invitation",
          "[projections][outreach][retraction]") {
    testing::fold_scenario s;
    s.add("candidate-k1", "2024-03-01", consent_granted{.purpose = brokerage});
    interest(s, "k1", "2024-03-01");
    auto const invitation = s.add("candidate-k1", "2024-03-04", invited_to_meeting{.with = meeting_partner::municipality, .invited_on = day("2024-03-04")});
    auto const withdrawal = s.add("candidate-k1", "2024-04-01", consent_withdrawn{.purpose = brokerage});
    CHECK(s.rows<projections::outreach>().at(0).as_object().at("interested_with_consent") == 0);
    s.retract(withdrawal);
    CHECK(s.rows<projections::outreach>().at(0).as_object().at("invited") == 1);
    s.retract(invitation);
    auto const row = s.rows<projections::outreach>().at(0).as_object();
    CHECK(row.at("invited") == 0);
    CHECK(row.at("share_invited") == 0.0);
}

TEST_CASE("outreach matches an invitation naming a campaign to interest in that campaign only",
          "[projections][outreach]") {
    testing::fold_scenario s;
    s.add("candidate-k1", "2024-03-01", consent_granted{.purpose = brokerage});
    interest(s, "k1", "2024-03-01", "a");
    interest(s, "k1", "2024-03-01", "b");
    s.add("candidate-k1", "2024-03-08", invited_to_meeting{.with = meeting_partner::research_group, .invited_on = day("2024-03-08"), .campaign_id = "b"});
    auto const rows = s.rows<projections::outreach>();
    CHECK(rows.at(0).as_object().at("invited") == 0);
    CHECK(rows.at(1).as_object().at("invited") == 1);
}
