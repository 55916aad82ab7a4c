# Installs the library, headers and a CMake package: find_package(Fluxion CONFIG REQUIRED).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
install(TARGETS fluxion EXPORT FluxionTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/fluxion DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT FluxionTargets NAMESPACE Fluxion:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Fluxion)
configure_package_config_file(cmake/FluxionConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/FluxionConfig.cmake
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Fluxion)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/FluxionConfigVersion.cmake
                                 COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/FluxionConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/FluxionConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Fluxion)
if(TARGET fluxion_cli)
  # The installed tool finds the installed library relative to itself.
  set_target_properties(fluxion_cli PROPERTIES INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
  install(TARGETS fluxion_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
