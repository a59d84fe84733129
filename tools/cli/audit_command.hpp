#pragma once
// `recruit-ledger audit keygen|prove|check|extend`: the auditor's side of SPEC §11, offline
// (docs/audit.md). Exit codes: 0 ok (the proof holds), 1 a proof or signature fails or a file
// cannot be read (the message names the break), 2 usage.
//
// Threading: single-threaded, one command per process. Errors: usage errors throw
// std::invalid_argument (the caller prints the usage, exit 2); other failures are printed here.

#include <map>
#include <string>
#include <vector>

namespace ledger::cli {

/// `flags` maps "--flag" to its value; `words` are the positional words (the subcommand first).
int audit_command(std::map<std::string, std::string, std::less<>> const& flags,
                  std::vector<std::string> const& words);

}  // namespace ledger::cli
