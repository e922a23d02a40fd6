# Installation and the Debian package (`cpack -G DEB` in the build tree; packaging/quickstart.sh package).
# Everything lands under CMAKE_INSTALL_PREFIX (/usr in the package); the programs find their resources in
# share/resnest-inspector beside an ancestor of their own path (ResourceLocator), so the same build runs from
# the build tree, from /usr, or from a folder the package was unpacked into.
include(GNUInstallDirs)

set(RESNEST_APP_ID io.github.resnest_inspector.Inspector)
set(RESNEST_PACKAGE_MAINTAINER "ResNeSt Inspector developers <maintainers@resnest-inspector.invalid>"
    CACHE STRING "Maintainer field of the .deb (Name <address>)")
# Where the project is published: the metainfo's homepage and, under RESNEST_SCREENSHOT_URL, its screenshots.
set(RESNEST_HOMEPAGE "" CACHE STRING "Project homepage URL for the AppStream metainfo (empty: none)")
set(RESNEST_SCREENSHOT_URL "" CACHE STRING "URL of docs/screenshots/ as published (empty: no screenshots)")

set(linux ${PROJECT_SOURCE_DIR}/packaging/linux)
set(gen ${PROJECT_BINARY_DIR}/packaging)
file(MAKE_DIRECTORY ${gen})

install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/ DESTINATION ${CMAKE_INSTALL_DATADIR}/resnest-inspector)

if(RESNEST_BUILD_GUI)
  install(FILES ${linux}/${RESNEST_APP_ID}.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  install(FILES ${linux}/${RESNEST_APP_ID}.mime.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/mime/packages
          RENAME ${RESNEST_APP_ID}.xml)
  install(FILES ${linux}/icons/${RESNEST_APP_ID}.svg
          DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
  foreach(size 16 24 32 48 64 128 256 512)
    install(FILES ${linux}/icons/${RESNEST_APP_ID}-${size}.png
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps RENAME ${RESNEST_APP_ID}.png)
  endforeach()

  # AppStream: the release is this version, dated by the last commit (reproducible), else today.
  execute_process(COMMAND git -C ${PROJECT_SOURCE_DIR} log -1 --format=%cs OUTPUT_VARIABLE RESNEST_RELEASE_DATE
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(NOT RESNEST_RELEASE_DATE)
    string(TIMESTAMP RESNEST_RELEASE_DATE "%Y-%m-%d" UTC)
  endif()
  set(RESNEST_METAINFO_LINKS "")
  if(RESNEST_HOMEPAGE)
    string(APPEND RESNEST_METAINFO_LINKS "  <url type=\"homepage\">${RESNEST_HOMEPAGE}</url>\n")
  endif()
  if(RESNEST_SCREENSHOT_URL)
    string(APPEND RESNEST_METAINFO_LINKS "  <screenshots>\n")
    foreach(shot "inspector-attention-workspace-1600x1000.jpg|The attention workspace on ResNeSt-50"
                 "inspector-attention-detector-box.jpg|A detector explaining one box"
                 "inspector-segment.jpg|A segmenter's classes over a photo"
                 "inspector-live-segment.jpg|A video played as live")
      string(REPLACE "|" ";" parts "${shot}")
      list(GET parts 0 file)
      list(GET parts 1 caption)
      set(kind "")
      if(file MATCHES "workspace")
        set(kind " type=\"default\"")
      endif()
      string(APPEND RESNEST_METAINFO_LINKS "    <screenshot${kind}>\n      <caption>${caption}</caption>\n"
             "      <image>${RESNEST_SCREENSHOT_URL}/${file}</image>\n    </screenshot>\n")
    endforeach()
    string(APPEND RESNEST_METAINFO_LINKS "  </screenshots>\n")
  endif()
  configure_file(${linux}/${RESNEST_APP_ID}.metainfo.xml.in ${gen}/${RESNEST_APP_ID}.metainfo.xml @ONLY)
  install(FILES ${gen}/${RESNEST_APP_ID}.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
endif()

install(FILES ${linux}/resnest-cli.bash-completion DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME resnest-cli)

# Man pages from each program's own --help and --version, so that they cannot disagree with it.
find_program(HELP2MAN help2man)
find_program(GZIP gzip)
if(HELP2MAN AND GZIP)
  set(pages "")
  set(programs resnest-cli "ResNeSt checkpoints from the command line: inspect, classify, segment, detect, export, benchmark")
  list(APPEND programs resnest-train "train the demo digit models of ResNeSt Inspector")
  if(RESNEST_BUILD_GUI)
    list(APPEND programs resnest-inspector "ResNeSt classification, segmentation and detection with per-radix split-attention maps")
  endif()
  while(programs)
    list(POP_FRONT programs program description)
    if(NOT TARGET ${program})
      continue()
    endif()
    set(page ${gen}/${program}.1.gz)
    add_custom_command(
      OUTPUT ${page}
      COMMAND ${CMAKE_COMMAND} -E env QT_QPA_PLATFORM=offscreen
              ${HELP2MAN} --no-info --no-discard-stderr --section=1 --name=${description}
              --output=${gen}/${program}.1 $<TARGET_FILE:${program}>
      COMMAND ${GZIP} -9nf ${gen}/${program}.1
      DEPENDS ${program}
      COMMENT "Man page of ${program} (help2man)"
      VERBATIM)
    list(APPEND pages ${page})
  endwhile()
  add_custom_target(resnest_man_pages ALL DEPENDS ${pages})
  install(FILES ${pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(STATUS "help2man not found: no man pages (packaging/quickstart.sh package installs it)")
endif()

# Debian wants its changelog and copyright in the package's doc folder, compressed reproducibly.
set(doc ${CMAKE_INSTALL_DATADIR}/doc/resnest-inspector)
execute_process(COMMAND git -C ${PROJECT_SOURCE_DIR} log -1 --format=%cD OUTPUT_VARIABLE changelogDate
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT changelogDate)
  string(TIMESTAMP changelogDate "%a, %d %b %Y %H:%M:%S +0000" UTC)
endif()
file(WRITE ${gen}/changelog
     "resnest-inspector (${PROJECT_VERSION}) unstable; urgency=medium\n\n"
     "  * First packaged release: see the README and docs/ in the sources.\n\n"
     " -- ${RESNEST_PACKAGE_MAINTAINER}  ${changelogDate}\n")
if(GZIP)
  execute_process(COMMAND ${GZIP} -9nf ${gen}/changelog)
  install(FILES ${gen}/changelog.gz DESTINATION ${doc})
endif()
install(FILES ${PROJECT_SOURCE_DIR}/packaging/debian/copyright DESTINATION ${doc})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME resnest-inspector)
set(CPACK_PACKAGE_VENDOR "ResNeSt Inspector developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "inspect ResNeSt split attention on images and videos")
# Debian's extended description: lines under 80 columns.
set(CPACK_PACKAGE_DESCRIPTION
    "ResNeSt Inspector runs ResNeSt classifiers, DeepLabV3 segmenters and Faster or
Mask R-CNN detectors on images, folders, videos, cameras and streams through
LibTorch, on the CPU or a CUDA GPU, and shows the per-radix split-attention
maps of every block over the image: small multiples, plots, class-conditioned
maps and interventions. With resnest-cli for batch work, export and
benchmarks, and three demo models.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${RESNEST_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The shared libraries actually linked, computed by dpkg-shlibdeps; plus what is loaded at run time only.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
if(RESNEST_BUILD_GUI)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-qpa-plugins")
endif()
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
