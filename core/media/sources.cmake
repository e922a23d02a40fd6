if(TARGET resnest_core)
  target_sources(resnest_core PRIVATE ${CMAKE_CURRENT_LIST_DIR}/VideoSource.cpp
    ${CMAKE_CURRENT_LIST_DIR}/StreamProbe.cpp
    ${CMAKE_CURRENT_LIST_DIR}/ImageFolder.cpp
    ${CMAKE_CURRENT_LIST_DIR}/VideoExport.cpp)
endif()
