target_sources(resnest_nn PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/BalancedSampler.cpp
  ${CMAKE_CURRENT_LIST_DIR}/FasterRCNNLoss.cpp
  ${CMAKE_CURRENT_LIST_DIR}/Matcher.cpp
  ${CMAKE_CURRENT_LIST_DIR}/WeightAverage.cpp)
