# fluxion_set_warnings(target): -Wall -Wextra -Werror on our own code (never on third-party
# targets). -Wmaybe-uninitialized stays a warning, not an error: GCC 12 reports it falsely for
# fixed-size pointer arrays filled in a loop (kernels/cpu/loops.h operands) at -O3 and under
# the sanitizers, depending on inlining rather than on the code.
function(fluxion_set_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Werror -Wno-unused-parameter -Wno-error=maybe-uninitialized>)
endfunction()
