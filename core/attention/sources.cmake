if(TARGET resnest_core)
  target_sources(resnest_core PRIVATE ${CMAKE_CURRENT_LIST_DIR}/AttentionExport.cpp
    ${CMAKE_CURRENT_LIST_DIR}/AttentionStatistics.cpp
    ${CMAKE_CURRENT_LIST_DIR}/RadixStatistics.cpp)
endif()
