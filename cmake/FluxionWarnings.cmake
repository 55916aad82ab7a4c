# fluxion_set_warnings(target): -Wall -Wextra -Werror on our own code.
function(fluxion_set_warnings target)
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Werror -Wno-unused-parameter>)
endfunction()
