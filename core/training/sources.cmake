# Training the demo models: losses and samplers (tensor level), recipes, the training loop and held-out
# evaluation on digit composites.
target_sources(resnest_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/BalancedSampler.cpp
  ${CMAKE_CURRENT_LIST_DIR}/DemoData.cpp
  ${CMAKE_CURRENT_LIST_DIR}/DemoEvaluator.cpp
  ${CMAKE_CURRENT_LIST_DIR}/DemoRecipe.cpp
  ${CMAKE_CURRENT_LIST_DIR}/DemoTrainer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/FasterRCNNLoss.cpp
  ${CMAKE_CURRENT_LIST_DIR}/Matcher.cpp
  ${CMAKE_CURRENT_LIST_DIR}/WeightAverage.cpp)
