# ledger_set_warnings(target): the project's warning flags, applied per target so that
# third-party headers included as SYSTEM stay quiet.
function(ledger_set_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wconversion -Wsign-conversion -Wpedantic
        # Designated initializers that leave members at their defaults are intended.
        -Wno-missing-field-initializers)
    if(LEDGER_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()
