#pragma once
// The machine-readable rows every bench prints on stdout, one per measurement:
//
//   name <TAB> value <TAB> unit <TAB> baseline_name <TAB> ratio
//
// Names are [a-z0-9_]+ (tools/bench/run-all.sh keeps only such lines). `baseline_name` is the name of another row of the same run and `ratio` is value / that
// row's value (two decimals); both are "-" for a row measured without a baseline. Human
// notes go to stderr, so `bench-x | column -t` or a spreadsheet reads stdout as it is.

#include <cstdio>
#include <string>
#include <string_view>

namespace bench {

inline void row(std::string_view name, double value, std::string_view unit) {
    std::printf("%.*s\t%.2f\t%.*s\t-\t-\n", static_cast<int>(name.size()), name.data(), value,
                static_cast<int>(unit.size()), unit.data());
    std::fflush(stdout);
}

inline void row(std::string_view name, double value, std::string_view unit,
                std::string_view baseline_name, double baseline_value) {
    double const ratio = baseline_value == 0 ? 0 : value / baseline_value;
    std::printf("%.*s\t%.2f\t%.*s\t%.*s\t%.3f\n", static_cast<int>(name.size()), name.data(),
                value, static_cast<int>(unit.size()), unit.data(),
                static_cast<int>(baseline_name.size()), baseline_name.data(), ratio);
    std::fflush(stdout);
}

/// A note for people (stderr), e.g. the load average the run saw.
template <class... Args>
void note(char const* format, Args... args) {
    std::fprintf(stderr, format, args...);
    std::fputc('\n', stderr);
}

/// The 1-minute load average, for the notes (the machines are shared).
inline double load_average() {
    double load = -1;
    if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
        if (std::fscanf(f, "%lf", &load) != 1) load = -1;
        std::fclose(f);
    }
    return load;
}

}  // namespace bench
