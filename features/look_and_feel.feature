@manual @req:UX
Feature: Look and feel
  The shop must look like our brand on every screen size and read naturally in the customer's language.
  These checks need human judgement, so a tester runs them by hand before each release.

  Background:
    Given the demo shop is running with its sample catalogue

  Rule: Every page follows the brand guide

    @UX-BR-001 @req:UX-1
    Scenario: Logo is shown sharp and undistorted on every page
      When the tester visits the home page, a product page, the cart and checkout
      Then the shop logo appears at the top of each page
      And the logo is sharp, undistorted and matches the brand guide
      And following the logo leads back to the home page

    @UX-BR-002 @req:UX-1
    Scenario: Colours and typography follow the brand guide
      When the tester compares the home page, a product page and checkout with the brand guide
      Then every colour on the pages comes from the brand palette
      And headings and body text use the brand typefaces
      And all text stands out clearly from its background

    @UX-BR-003 @req:UX-2
    Scenario: Layout works at mobile width
      Given the browser window is 375 pixels wide
      When the tester signs in, puts an item in the cart and checks out
      Then no page needs sideways scrolling
      And every control is comfortable to use with a thumb
      And all text is readable without zooming

  Rule: Prices and dates follow the customer's language

    @UX-LO-001 @req:UX-3
    Scenario: German prices and dates are formatted correctly
      Given the shop language is "Deutsch"
      And "alice" has an order of "1234.50" EUR placed on "2024-03-05"
      When the tester opens the order history as "alice"
      Then the order total reads "1.234,50 €"
      And the order date reads "05.03.2024"
      And no English text is left on the page
