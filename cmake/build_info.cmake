# The build's identity (include/ledger/build_info.hpp): version and the configuring git commit.
# The commit is read at configure time, so a re-run of cmake refreshes it; outside a git
# checkout (a source tarball) it is "unknown".
find_package(Git QUIET)
set(LEDGER_BUILD_COMMIT "unknown")
if(GIT_FOUND)
    execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --short=12 HEAD
                    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                    OUTPUT_VARIABLE ledger_git_head OUTPUT_STRIP_TRAILING_WHITESPACE
                    RESULT_VARIABLE ledger_git_failed ERROR_QUIET)
    if(NOT ledger_git_failed AND ledger_git_head)
        set(LEDGER_BUILD_COMMIT "${ledger_git_head}")
        execute_process(COMMAND ${GIT_EXECUTABLE} diff --quiet HEAD --
                        WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                        RESULT_VARIABLE ledger_git_dirty ERROR_QUIET)
        if(ledger_git_dirty)
            string(APPEND LEDGER_BUILD_COMMIT "-dirty")
        endif()
    endif()
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/build_info.cpp.in ${PROJECT_BINARY_DIR}/generated/build_info.cpp @ONLY)
